/*===- icount.c - QEMU TCG plugin: exact instruction count between markers -===*
 *
 * Counts the guest instructions executed from the entry of one function
 * (begin) up to the entry of another (end): with the Tempo harness,
 * tempo_bench_begin and tempo_bench_end around NAME_run. The count includes
 * begin's own instructions (a `bx lr`), the call into NAME_run and the call
 * to end, and excludes end's. Every instruction is counted with an inline
 * add emitted before it, so the figure is exact and repeats run to run.
 *
 *   qemu-system-arm ... -plugin icount.so,begin=0x...,end=0x...[,out=FILE]
 *                                        [,stack_lo=0x...,stack_hi=0x...]
 *
 * begin/end: code addresses (a Thumb symbol's bit 0 is ignored).
 * out:       file for the report; without it the report goes through
 *            qemu_plugin_outs, visible with `-d plugin`.
 * stack_lo/stack_hi: the stack region [lo, hi). When given, the lowest
 *            address written inside it between the markers is reported too,
 *            so the stack depth at the inference's deepest point is
 *            hi - stack_min_write.
 *
 * The report, written at exit, is `key=value` lines:
 *   insns=N            instructions between the markers, summed over windows
 *   windows=N          completed begin..end windows
 *   total_insns=N      instructions executed in the whole run
 *   stack_min_write=0x...   (with stack_lo/stack_hi, if any write was seen)
 *
 * QEMU ships no qemu-plugin.h on Debian, so the few declarations needed are
 * below, matching QEMU 7.2's plugin API version 1 (include/qemu/qemu-plugin.h
 * of v7.2.0; the functions are the ones `nm -D qemu-system-arm` exports).
 * Version 1 has no register access, hence markers by address, not by SP.
 * One vCPU is assumed (every Cortex-M board in QEMU has one).
 *
 *===----------------------------------------------------------------------===*/

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API, version 1 (QEMU 7.2), the parts used here --------- */

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;

typedef struct qemu_info_t {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_mem_rw {
  QEMU_PLUGIN_MEM_R = 1,
  QEMU_PLUGIN_MEM_W,
  QEMU_PLUGIN_MEM_RW,
};

enum qemu_plugin_op {
  QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
                                            void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
                                          qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                      qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags,
                                      enum qemu_plugin_mem_rw rw,
                                      void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb, void *userdata);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv);

/* ---- State -------------------------------------------------------------- */

static uint64_t gBegin, gEnd;       /* marker addresses, bit 0 clear */
static uint64_t gStackLo, gStackHi; /* stack region, empty if lo == hi */
static const char *gOutPath;

static uint64_t gInsns;       /* every executed instruction (inline add) */
static uint64_t gWindowStart; /* gInsns at the last begin */
static uint64_t gWindowInsns; /* sum over completed windows */
static uint64_t gWindows;
static bool gInWindow;
static uint64_t gStackMinWrite = UINT64_MAX;

static void onBegin(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  gWindowStart = gInsns;
  gInWindow = true;
}

static void onEnd(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  if (!gInWindow)
    return;
  gWindowInsns += gInsns - gWindowStart;
  ++gWindows;
  gInWindow = false;
}

static void onStore(unsigned int vcpu, qemu_plugin_meminfo_t info,
                    uint64_t vaddr, void *udata) {
  (void)vcpu;
  (void)info;
  (void)udata;
  if (gInWindow && vaddr >= gStackLo && vaddr < gStackHi &&
      vaddr < gStackMinWrite)
    gStackMinWrite = vaddr;
}

/* Both markers see the counter at the same point relative to their own
 * instruction's inline add (whatever order QEMU runs the two in), so the
 * difference is exactly the instructions in [begin, end). */
static void onTranslate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t pc = qemu_plugin_insn_vaddr(insn);
    qemu_plugin_register_vcpu_insn_exec_inline(
        insn, QEMU_PLUGIN_INLINE_ADD_U64, &gInsns, 1);
    if (pc == gBegin)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, onBegin,
                                             QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (pc == gEnd)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, onEnd,
                                             QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (gStackLo < gStackHi)
      qemu_plugin_register_vcpu_mem_cb(insn, onStore, QEMU_PLUGIN_CB_NO_REGS,
                                       QEMU_PLUGIN_MEM_W, NULL);
  }
}

static void onExit(qemu_plugin_id_t id, void *udata) {
  (void)id;
  (void)udata;
  char report[256];
  int len = snprintf(report, sizeof report,
                     "insns=%" PRIu64 "\nwindows=%" PRIu64
                     "\ntotal_insns=%" PRIu64 "\n",
                     gWindowInsns, gWindows, gInsns);
  if (gStackLo < gStackHi && gStackMinWrite != UINT64_MAX)
    snprintf(report + len, sizeof report - (size_t)len,
             "stack_min_write=0x%" PRIx64 "\n", gStackMinWrite);
  if (!gOutPath) {
    qemu_plugin_outs(report);
    return;
  }
  FILE *f = fopen(gOutPath, "w");
  if (!f) {
    qemu_plugin_outs("icount: cannot write the report file\n");
    qemu_plugin_outs(report);
    return;
  }
  fputs(report, f);
  fclose(f);
}

/* Parses "0x..." or decimal into *value; false if not a whole number. */
static bool parseAddress(const char *text, uint64_t *value) {
  char *endp = NULL;
  if (!*text)
    return false;
  *value = strtoull(text, &endp, 0);
  return *endp == '\0';
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv) {
  (void)info;
  bool haveBegin = false, haveEnd = false;
  for (int i = 0; i < argc; ++i) {
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    if (!eq) {
      fprintf(stderr, "icount: argument '%s' is not key=value\n", arg);
      return -1;
    }
    size_t keyLen = (size_t)(eq - arg);
    const char *val = eq + 1;
    bool ok = true;
    if (keyLen == 5 && !strncmp(arg, "begin", 5))
      ok = haveBegin = parseAddress(val, &gBegin);
    else if (keyLen == 3 && !strncmp(arg, "end", 3))
      ok = haveEnd = parseAddress(val, &gEnd);
    else if (keyLen == 8 && !strncmp(arg, "stack_lo", 8))
      ok = parseAddress(val, &gStackLo);
    else if (keyLen == 8 && !strncmp(arg, "stack_hi", 8))
      ok = parseAddress(val, &gStackHi);
    else if (keyLen == 3 && !strncmp(arg, "out", 3))
      gOutPath = val;
    else {
      fprintf(stderr, "icount: unknown argument '%s'\n", arg);
      return -1;
    }
    if (!ok) {
      fprintf(stderr, "icount: bad number in '%s'\n", arg);
      return -1;
    }
  }
  if (!haveBegin || !haveEnd) {
    fprintf(stderr, "icount: begin=ADDR and end=ADDR are required\n");
    return -1;
  }
  /* Thumb function symbols carry the state in bit 0; the PC does not. */
  gBegin &= ~(uint64_t)1;
  gEnd &= ~(uint64_t)1;
  if (gBegin == gEnd) {
    fprintf(stderr, "icount: begin and end are the same address\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, onTranslate);
  qemu_plugin_register_atexit_cb(id, onExit, NULL);
  return 0;
}
