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
