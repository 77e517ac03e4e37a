//go:build amd64 && !purego

#include "textflag.h"

// func accum4AVX(q, k, qa, ka, wq, wk, wqa, wka *float64, n int, xv, ax float64)
//
// For i < n (a multiple of 4): q[i] += xv·wq[i], k[i] += xv·wk[i],
// qa[i] += ax·wqa[i], ka[i] += ax·wka[i], each product and sum rounded
// separately (no FMA), as the Go loop of accum4 rounds them. The upper
// halves of the YMM registers are cleared with VZEROUPPER before return.
TEXT ·accum4AVX(SB), NOSPLIT, $0-88
	MOVQ q+0(FP), AX
	MOVQ k+8(FP), BX
	MOVQ qa+16(FP), CX
	MOVQ ka+24(FP), DX
	MOVQ wq+32(FP), SI
	MOVQ wk+40(FP), DI
	MOVQ wqa+48(FP), R8
	MOVQ wka+56(FP), R9
	MOVQ n+64(FP), R10
	VBROADCASTSD xv+72(FP), Y0
	VBROADCASTSD ax+80(FP), Y1
	XORQ R11, R11
	SHLQ $3, R10
	JZ   accumdone

accumloop:
	VMULPD  (SI)(R11*1), Y0, Y2
	VADDPD  (AX)(R11*1), Y2, Y2
	VMOVUPD Y2, (AX)(R11*1)
	VMULPD  (DI)(R11*1), Y0, Y3
	VADDPD  (BX)(R11*1), Y3, Y3
	VMOVUPD Y3, (BX)(R11*1)
	VMULPD  (R8)(R11*1), Y1, Y4
	VADDPD  (CX)(R11*1), Y4, Y4
	VMOVUPD Y4, (CX)(R11*1)
	VMULPD  (R9)(R11*1), Y1, Y5
	VADDPD  (DX)(R11*1), Y5, Y5
	VMOVUPD Y5, (DX)(R11*1)
	ADDQ    $32, R11
	CMPQ    R11, R10
	JLT     accumloop

accumdone:
	VZEROUPPER
	RET
