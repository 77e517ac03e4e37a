//go:build amd64 && !purego

#include "textflag.h"

// The vector kernels of vec.go on zmm (AVX-512F) and ymm (AVX2+FMA)
// registers. Each computes exactly the operations of its pure-Go
// reference (dotGo, axpyGo, scalGo, Exp) in the same order, with VEX/EVEX
// encodings only (no legacy SSE, so no transition penalties), and ends
// with VZEROUPPER.

// func dotAVX512asm(x, y *float64, n int) float64
//
// Lanes l = 0…7 in Z0, l = 8…15 in Z1; combine Z0+Z1, high+low 256, high+low
// 128, lane 0 + lane 1; then the tail, fused, in order.
TEXT ·dotAVX512asm(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   dot512reduce

dot512loop:
	VMOVUPD (SI), Z2
	VMOVUPD 64(SI), Z3
	VFMADD231PD (DI), Z2, Z0
	VFMADD231PD 64(DI), Z3, Z1
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, BX
	JNZ  dot512loop

dot512reduce:
	VADDPD Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VUNPCKHPD X0, X0, X1
	VADDSD X1, X0, X0
	ANDQ $15, CX
	JZ   dot512done

dot512tail:
	VMOVSD (SI), X1
	VFMADD231SD (DI), X1, X0
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  dot512tail

dot512done:
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotAVX2asm(x, y *float64, n int) float64
//
// Lanes 0–3, 4–7, 8–11, 12–15 in Y0–Y3; combine (Y0+Y2)+(Y1+Y3) lane by
// lane, which is l+8 then l+4, then as dotAVX512asm.
TEXT ·dotAVX2asm(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   dot256reduce

dot256loop:
	VMOVUPD (SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VFMADD231PD (DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, BX
	JNZ  dot256loop

dot256reduce:
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VUNPCKHPD X0, X0, X1
	VADDSD X1, X0, X0
	ANDQ $15, CX
	JZ   dot256done

dot256tail:
	VMOVSD (SI), X1
	VFMADD231SD (DI), X1, X0
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  dot256tail

dot256done:
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func axpyAVX512asm(dst *float64, a float64, x *float64, n int)
//
// dst[i] = fma(a, x[i], dst[i]), 8 lanes at a time, the tail scalar.
TEXT ·axpyAVX512asm(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	VBROADCASTSD a+8(FP), Z0
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ CX, BX
	ANDQ $-8, BX
	JZ   axpyAVX512asmtail0

axpyAVX512asmloop:
	VMOVUPD (DI), Z1
	VFMADD231PD (SI), Z0, Z1
	VMOVUPD Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, BX
	JNZ  axpyAVX512asmloop

axpyAVX512asmtail0:
	ANDQ $7, CX
	JZ   axpyAVX512asmdone

axpyAVX512asmtail:
	VMOVSD (DI), X1
	VFMADD231SD (SI), X0, X1
	VMOVSD X1, (DI)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  axpyAVX512asmtail

axpyAVX512asmdone:
	VZEROUPPER
	RET

// func axpyAVX2asm(dst *float64, a float64, x *float64, n int)
//
// dst[i] = fma(a, x[i], dst[i]), 4 lanes at a time, the tail scalar.
TEXT ·axpyAVX2asm(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	VBROADCASTSD a+8(FP), Y0
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ CX, BX
	ANDQ $-4, BX
	JZ   axpyAVX2asmtail0

axpyAVX2asmloop:
	VMOVUPD (DI), Y1
	VFMADD231PD (SI), Y0, Y1
	VMOVUPD Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, BX
	JNZ  axpyAVX2asmloop

axpyAVX2asmtail0:
	ANDQ $3, CX
	JZ   axpyAVX2asmdone

axpyAVX2asmtail:
	VMOVSD (DI), X1
	VFMADD231SD (SI), X0, X1
	VMOVSD X1, (DI)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  axpyAVX2asmtail

axpyAVX2asmdone:
	VZEROUPPER
	RET

// func scalAVX512asm(dst *float64, a float64, n int)
//
// dst[i] *= a, 8 lanes at a time, the tail scalar.
TEXT ·scalAVX512asm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	VBROADCASTSD a+8(FP), Z0
	MOVQ n+16(FP), CX
	MOVQ CX, BX
	ANDQ $-8, BX
	JZ   scalAVX512asmtail0

scalAVX512asmloop:
	VMULPD (DI), Z0, Z1
	VMOVUPD Z1, (DI)
	ADDQ $64, DI
	SUBQ $8, BX
	JNZ  scalAVX512asmloop

scalAVX512asmtail0:
	ANDQ $7, CX
	JZ   scalAVX512asmdone

scalAVX512asmtail:
	VMULSD (DI), X0, X1
	VMOVSD X1, (DI)
	ADDQ $8, DI
	DECQ CX
	JNZ  scalAVX512asmtail

scalAVX512asmdone:
	VZEROUPPER
	RET

// func scalAVX2asm(dst *float64, a float64, n int)
//
// dst[i] *= a, 4 lanes at a time, the tail scalar.
TEXT ·scalAVX2asm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	VBROADCASTSD a+8(FP), Y0
	MOVQ n+16(FP), CX
	MOVQ CX, BX
	ANDQ $-4, BX
	JZ   scalAVX2asmtail0

scalAVX2asmloop:
	VMULPD (DI), Y0, Y1
	VMOVUPD Y1, (DI)
	ADDQ $32, DI
	SUBQ $4, BX
	JNZ  scalAVX2asmloop

scalAVX2asmtail0:
	ANDQ $3, CX
	JZ   scalAVX2asmdone

scalAVX2asmtail:
	VMULSD (DI), X0, X1
	VMOVSD X1, (DI)
	ADDQ $8, DI
	DECQ CX
	JNZ  scalAVX2asmtail

scalAVX2asmdone:
	VZEROUPPER
	RET

// func expAVX512asm(dst, x *float64, n int)
//
// Exp (exp.go) on 8 lanes, n a multiple of 8: clamp, k = round(x·log2e),
// r by two fused steps, Horner with fused steps, times 2^⌊k/2⌋ and
// 2^(k−⌊k/2⌋) built in the exponent field, NaN lanes replaced by x.
// Constants stay in Z16–Z22; coefficients are memory operands (expTab).
TEXT ·expAVX512asm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPD ·expTab+0(SB), Z16
	VMOVUPD ·expTab+64(SB), Z17
	VMOVUPD ·expTab+128(SB), Z18
	VMOVUPD ·expTab+192(SB), Z19
	VMOVUPD ·expTab+256(SB), Z20
	VMOVUPD ·expTab+320(SB), Z21
	VMOVUPD ·expTab+384(SB), Z22

exp512loop:
	VMOVUPD (SI), Z0
	VMAXPD Z19, Z0, Z1
	VMINPD Z20, Z1, Z1
	VMULPD Z16, Z1, Z2
	VRNDSCALEPD $0, Z2, Z2
	VFMADD231PD Z17, Z2, Z1
	VFMADD231PD Z18, Z2, Z1
	VMOVUPD ·expTab+1280(SB), Z3
	VFMADD213PD ·expTab+1216(SB), Z1, Z3
	VFMADD213PD ·expTab+1152(SB), Z1, Z3
	VFMADD213PD ·expTab+1088(SB), Z1, Z3
	VFMADD213PD ·expTab+1024(SB), Z1, Z3
	VFMADD213PD ·expTab+960(SB), Z1, Z3
	VFMADD213PD ·expTab+896(SB), Z1, Z3
	VFMADD213PD ·expTab+832(SB), Z1, Z3
	VFMADD213PD ·expTab+768(SB), Z1, Z3
	VFMADD213PD ·expTab+704(SB), Z1, Z3
	VFMADD213PD ·expTab+640(SB), Z1, Z3
	VFMADD213PD ·expTab+576(SB), Z1, Z3
	VFMADD213PD ·expTab+512(SB), Z1, Z3
	VFMADD213PD ·expTab+448(SB), Z1, Z3
	VMULPD Z21, Z2, Z4
	VRNDSCALEPD $1, Z4, Z4
	VSUBPD Z4, Z2, Z5
	VADDPD Z22, Z4, Z4
	VADDPD Z22, Z5, Z5
	VPSLLQ $52, Z4, Z4
	VPSLLQ $52, Z5, Z5
	VMULPD Z4, Z3, Z3
	VMULPD Z5, Z3, Z3
	VCMPPD $3, Z0, Z0, K1
	VMOVAPD Z0, K1, Z3
	VMOVUPD Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JNZ  exp512loop
	VZEROUPPER
	RET

// func expAVX2asm(dst, x *float64, n int)
//
// As expAVX512asm on 4 lanes (n a multiple of 4), constants as memory
// operands, the NaN blend with VBLENDVPD.
TEXT ·expAVX2asm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX

exp256loop:
	VMOVUPD (SI), Y0
	VMAXPD ·expTab+192(SB), Y0, Y1
	VMINPD ·expTab+256(SB), Y1, Y1
	VMULPD ·expTab+0(SB), Y1, Y2
	VROUNDPD $0, Y2, Y2
	VFMADD231PD ·expTab+64(SB), Y2, Y1
	VFMADD231PD ·expTab+128(SB), Y2, Y1
	VMOVUPD ·expTab+1280(SB), Y3
	VFMADD213PD ·expTab+1216(SB), Y1, Y3
	VFMADD213PD ·expTab+1152(SB), Y1, Y3
	VFMADD213PD ·expTab+1088(SB), Y1, Y3
	VFMADD213PD ·expTab+1024(SB), Y1, Y3
	VFMADD213PD ·expTab+960(SB), Y1, Y3
	VFMADD213PD ·expTab+896(SB), Y1, Y3
	VFMADD213PD ·expTab+832(SB), Y1, Y3
	VFMADD213PD ·expTab+768(SB), Y1, Y3
	VFMADD213PD ·expTab+704(SB), Y1, Y3
	VFMADD213PD ·expTab+640(SB), Y1, Y3
	VFMADD213PD ·expTab+576(SB), Y1, Y3
	VFMADD213PD ·expTab+512(SB), Y1, Y3
	VFMADD213PD ·expTab+448(SB), Y1, Y3
	VMULPD ·expTab+320(SB), Y2, Y4
	VROUNDPD $1, Y4, Y4
	VSUBPD Y4, Y2, Y5
	VADDPD ·expTab+384(SB), Y4, Y4
	VADDPD ·expTab+384(SB), Y5, Y5
	VPSLLQ $52, Y4, Y4
	VPSLLQ $52, Y5, Y5
	VMULPD Y4, Y3, Y3
	VMULPD Y5, Y3, Y3
	VCMPPD $3, Y0, Y0, Y6
	VBLENDVPD Y6, Y0, Y3, Y3
	VMOVUPD Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JNZ  exp256loop
	VZEROUPPER
	RET
