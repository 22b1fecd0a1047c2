/* A tiny assembler for classic BPF programs such as seccomp filters.
 *
 * Jumps name labels instead of counting instructions: a hand-counted offset
 * that is off by one shifts every later target without any error, and in a
 * seccomp filter that turns into "every syscall fails" or, worse, "the deny
 * rule allows". bpf_asm_link() resolves the labels once the whole program is
 * known and aborts on anything it cannot encode exactly: an unplaced label, a
 * backward jump, or a conditional jump beyond the 8-bit offset field. Those
 * are bugs in the program text, never conditions to handle at run time.
 *
 * Header only, so that a test can build the same way as the launcher. */
#ifndef CORDON_BPF_ASM_H
#define CORDON_BPF_ASM_H

#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>

#define BPF_ASM_MAX_INSNS 512
#define BPF_ASM_MAX_LABELS 32
/* Label 0 is the next instruction: a branch that falls through. */
#define BPF_NEXT 0

struct bpf_asm {
	struct sock_filter insn[BPF_ASM_MAX_INSNS];
	/* The labels each jump goes to, turned into offsets by bpf_asm_link().
	 * An unconditional jump (BPF_JA) keeps its label in jt. */
	unsigned char jt[BPF_ASM_MAX_INSNS];
	unsigned char jf[BPF_ASM_MAX_INSNS];
	int at[BPF_ASM_MAX_LABELS]; /* instruction index, -1 while unplaced */
	unsigned int len;
};

static inline void bpf_asm_fail(const char *what, unsigned int arg, unsigned int insn)
{
	fprintf(stderr, "bpf_asm: %s (%u) at instruction %u\n", what, arg, insn);
	abort();
}

static inline void bpf_asm_init(struct bpf_asm *a)
{
	a->len = 0;
	for (unsigned int i = 0; i < BPF_ASM_MAX_LABELS; i++)
		a->at[i] = -1;
}

static inline void bpf_asm_put(struct bpf_asm *a, unsigned short code, unsigned int k,
			       unsigned int jt, unsigned int jf)
{
	if (a->len >= BPF_ASM_MAX_INSNS)
		bpf_asm_fail("program too long", BPF_ASM_MAX_INSNS, a->len);
	if (jt >= BPF_ASM_MAX_LABELS || jf >= BPF_ASM_MAX_LABELS)
		bpf_asm_fail("label out of range", jt >= BPF_ASM_MAX_LABELS ? jt : jf, a->len);
	a->insn[a->len] = (struct sock_filter){ .code = code, .k = k };
	a->jt[a->len] = (unsigned char)jt;
	a->jf[a->len] = (unsigned char)jf;
	a->len++;
}

/* Any instruction that does not jump: loads, ALU, returns. */
static inline void bpf_stmt(struct bpf_asm *a, unsigned short code, unsigned int k)
{
	if (BPF_CLASS(code) == BPF_JMP)
		bpf_asm_fail("bpf_stmt() given a jump", code, a->len);
	bpf_asm_put(a, code, k, BPF_NEXT, BPF_NEXT);
}

/* A conditional jump: to label jt when the test holds, else to label jf. */
static inline void bpf_jump(struct bpf_asm *a, unsigned short code, unsigned int k,
			    unsigned int jt, unsigned int jf)
{
	if (BPF_CLASS(code) != BPF_JMP || BPF_OP(code) == BPF_JA)
		bpf_asm_fail("bpf_jump() given no conditional jump", code, a->len);
	bpf_asm_put(a, code, k, jt, jf);
}

static inline void bpf_goto(struct bpf_asm *a, unsigned int label)
{
	bpf_asm_put(a, BPF_JMP | BPF_JA, 0, label, BPF_NEXT);
}

/* Places label at the next instruction to be emitted. */
static inline void bpf_label(struct bpf_asm *a, unsigned int label)
{
	if (label == BPF_NEXT || label >= BPF_ASM_MAX_LABELS)
		bpf_asm_fail("label out of range", label, a->len);
	if (a->at[label] >= 0)
		bpf_asm_fail("label placed twice", label, a->len);
	a->at[label] = (int)a->len;
}

/* The offset from the instruction after i to label; aborts unless the label
 * lies ahead (classic BPF only jumps forward) within max. */
static inline unsigned int bpf_asm_offset(const struct bpf_asm *a, unsigned int i,
					  unsigned int label, unsigned int max)
{
	int to;

	if (label == BPF_NEXT)
		return 0;
	to = a->at[label];
	if (to < 0)
		bpf_asm_fail("jump to an unplaced label", label, i);
	if ((unsigned int)to >= a->len)
		bpf_asm_fail("label placed past the last instruction", label, i);
	if ((unsigned int)to <= i)
		bpf_asm_fail("backward jump to label", label, i);
	if ((unsigned int)to - i - 1 > max)
		bpf_asm_fail("jump too far to label", label, i);
	return (unsigned int)to - i - 1;
}

/* Resolves every label and returns the program, which stays in a. */
static inline struct sock_fprog bpf_asm_link(struct bpf_asm *a)
{
	for (unsigned int i = 0; i < a->len; i++) {
		struct sock_filter *f = &a->insn[i];

		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (BPF_OP(f->code) == BPF_JA) {
			f->k = bpf_asm_offset(a, i, a->jt[i], ~0U);
			continue;
		}
		f->jt = (unsigned char)bpf_asm_offset(a, i, a->jt[i], 255);
		f->jf = (unsigned char)bpf_asm_offset(a, i, a->jf[i], 255);
	}
	/* The kernel would refuse a program that can run off its end; say
	 * so here, where the cause is still obvious. */
	if (a->len == 0 || BPF_CLASS(a->insn[a->len - 1].code) != BPF_RET)
		bpf_asm_fail("program does not end with a return", a->len, a->len);
	return (struct sock_fprog){ .len = (unsigned short)a->len, .filter = a->insn };
}

#endif
