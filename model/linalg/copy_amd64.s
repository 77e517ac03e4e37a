//go:build amd64 && !purego

#include "textflag.h"

// func copyRowsAVX2asm(dst *float64, wd int, src *float64, ld int, kc int, q int)
//
// Copies kc rows of 4q doubles (q = 1 … 4) from src (row stride ld bytes)
// to dst (row stride wd bytes) with unaligned 32-byte moves: the packing of
// GEMM micro-panels (copyRows), without a memmove call per row. kc ≥ 1.
TEXT ·copyRowsAVX2asm(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ wd+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ kc+32(FP), CX
	MOVQ q+40(FP), DX
	CMPQ DX, $4
	JEQ  rows16
	CMPQ DX, $3
	JEQ  rows12
	CMPQ DX, $2
	JEQ  rows8

rows4:
	VMOVUPD (SI), Y0
	VMOVUPD Y0, (DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  rows4
	VZEROUPPER
	RET

rows8:
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  rows8
	VZEROUPPER
	RET

rows12:
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  rows12
	VZEROUPPER
	RET

rows16:
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  rows16
	VZEROUPPER
	RET

// func transposeRowsAVX2asm(dst *float64, wd int, src *float64, ld int, kc4 int, q int)
//
// Copies q groups of 4 rows of 4·kc4 doubles each, src row r at src + r·ld
// (bytes), transposed into dst: value s of row r to dst + s·wd + 8r (the
// packing of a GEMM micro-panel from rows of op(B)ᵀ or of A, packB and
// packA). Each 4×4 block goes through two unpack and two lane-permute
// steps: the values move, none is computed. kc4 ≥ 1, q ≥ 1.
TEXT ·transposeRowsAVX2asm(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ wd+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ q+40(FP), DX
	LEAQ (R8)(R8*2), AX

tgroup:
	MOVQ SI, R10
	LEAQ (SI)(R9*1), R11
	LEAQ (SI)(R9*2), R12
	LEAQ (R11)(R9*2), R13
	MOVQ DI, R14
	MOVQ kc4+32(FP), BX

tblock:
	VMOVUPD (R10), Y0
	VMOVUPD (R11), Y1
	VMOVUPD (R12), Y2
	VMOVUPD (R13), Y3
	VUNPCKLPD Y1, Y0, Y4
	VUNPCKHPD Y1, Y0, Y5
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	VMOVUPD Y0, (R14)
	VMOVUPD Y1, (R14)(R8*1)
	VMOVUPD Y2, (R14)(R8*2)
	VMOVUPD Y3, (R14)(AX*1)
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	LEAQ (R14)(R8*4), R14
	DECQ BX
	JNZ  tblock

	LEAQ (SI)(R9*4), SI
	ADDQ $32, DI
	DECQ DX
	JNZ  tgroup
	VZEROUPPER
	RET
