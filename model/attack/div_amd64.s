//go:build amd64 && !purego

#include "textflag.h"

// func divAVXasm(dst, src *float64, n int, d float64)
//
// dst[i] = src[i]/d for i < n, n a multiple of 4; each quotient correctly
// rounded (IEEE division, lane by lane), as the scalar loop computes it.
// VZEROUPPER before return.
TEXT ·divAVXasm(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD d+24(FP), Y0
	XORQ AX, AX
	SHLQ $3, CX
	JZ   divdone

divloop:
	VMOVUPD (SI)(AX*1), Y1
	VDIVPD  Y0, Y1, Y2
	VMOVUPD Y2, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     divloop

divdone:
	VZEROUPPER
	RET
