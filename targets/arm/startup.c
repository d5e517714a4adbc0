/*===- startup.c - C runtime start for the Tempo QEMU Cortex-M targets ----===*
 *
 * Bare-metal start-up for the QEMU boards in targets/arm/<board>.ld, linked with
 * `--specs=rdimon.specs -nostartfiles` so that newlib's stdio reaches host
 * files through Arm semihosting while this file, not rdimon-crt0, owns the
 * reset path:
 *
 *   Reset_Handler (startup.S)  SP, FPU on, MSPLIM (v8-M), stack painted
 *   tempo_start                .data copied, .bss zeroed, semihosting stdio
 *                              opened, argv read with SYS_GET_CMDLINE,
 *                              exit(main(argc, argv))
 *   _exit                      prints "tempo-qemu: stack_hwm_bytes=N" on the
 *                              semihosting console, then SYS_EXIT_EXTENDED
 *                              hands the exit code to the host
 *   any fault or interrupt     prints the exception number, stacked PC and
 *                              fault status, exits with 128 + exception
 *
 * rdimon-crt0 is not used because it places the stack and heap where
 * SYS_HEAPINFO says, and QEMU 7.2 answers with the board's "system RAM", not
 * the linker script's: the PSRAM on mps2-an386/an505, and on mps3-an547 the
 * ITCM from address 0, i.e. a heap on top of the vector table and code.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>

/* Linker-script symbols (targets/arm/sections.ld). */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

/* newlib / librdimon. */
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
extern unsigned int __heap_limit;

extern int main(int argc, char **argv);
void Reset_Handler(void);
void tempo_start(void);
void tempo_fault_handler(void);
void tempo_report_fault(const uint32_t *frame);

#define TEMPO_STACK_PAINT 0xDEADBEEFu

/* Arm semihosting operations (Arm IHI 0092). */
enum {
  SYS_WRITE0 = 0x04,
  SYS_GET_CMDLINE = 0x15,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20,
  ADP_STOPPED_APPLICATION_EXIT = 0x20026,
  ADP_STOPPED_RUNTIME_ERROR_UNKNOWN = 0x20023,
};

static int semihost(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static void writeConsole(const char *s) { semihost(SYS_WRITE0, (void *)s); }

/* Appends the decimal or hex digits of v at p; returns the new end. */
static char *appendUnsigned(char *p, uint32_t v, unsigned base) {
  char digits[10];
  int n = 0;
  do {
    uint32_t d = v % base;
    digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  while (n)
    *p++ = digits[--n];
  return p;
}

static char *appendString(char *p, const char *s) {
  while (*s)
    *p++ = *s++;
  return p;
}

/* ---- Vector table ------------------------------------------------------- */

/* 16 system exceptions plus 32 interrupt lines, all but reset pointing at
 * the fault handler: nothing here enables an interrupt, so any entry taken
 * other than reset is a bug worth reporting. */
#define TEMPO_NUM_VECTORS 48

__attribute__((section(".isr_vector"), used)) void (*const tempo_vectors[
    TEMPO_NUM_VECTORS])(void) = {
    (void (*)(void))__stack_top, Reset_Handler,
    [2 ... TEMPO_NUM_VECTORS - 1] = tempo_fault_handler};

/* ---- Command line ------------------------------------------------------- */

#define TEMPO_CMDLINE_BYTES 4096
#define TEMPO_MAX_ARGS 64

/* Host-side plumbing, kept out of .bss (section .tempo_host, NOLOAD) so that
 * the RAM figure reported for a model is not inflated by it. */
__attribute__((section(".tempo_host"))) static char gCmdline[
    TEMPO_CMDLINE_BYTES];
__attribute__((section(".tempo_host"))) static char *gArgv[TEMPO_MAX_ARGS + 1];

/* QEMU joins its `-semihosting-config arg=` values with single spaces and
 * does not quote, so arguments cannot contain spaces. */
static int readArgs(void) {
  struct {
    char *buf;
    int len;
  } block = {gCmdline, TEMPO_CMDLINE_BYTES - 1};
  if (semihost(SYS_GET_CMDLINE, &block) != 0) {
    gArgv[0] = 0;
    return 0;
  }
  gCmdline[block.len] = '\0';
  int argc = 0;
  char *p = gCmdline;
  while (*p && argc < TEMPO_MAX_ARGS) {
    while (*p == ' ')
      *p++ = '\0';
    if (!*p)
      break;
    gArgv[argc++] = p;
    while (*p && *p != ' ')
      ++p;
  }
  gArgv[argc] = 0;
  return argc;
}

/* ---- Start and exit ----------------------------------------------------- */

/* __libc_init_array calls these; crti/crtn are not linked (-nostartfiles). */
void _init(void) {}
void _fini(void) {}

void tempo_start(void) {
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
    *dst++ = *src++;
  for (uint32_t *dst = __bss_start; dst < __bss_end;)
    *dst++ = 0;
  /* librdimon's _sbrk stops the heap at __heap_limit (and at the live SP);
   * keep it out of the painted stack. */
  __heap_limit = (unsigned int)(uintptr_t)__stack_limit;
  initialise_monitor_handles();
  __libc_init_array();
  int argc = readArgs();
  exit(main(argc, gArgv));
}

/* Bytes of stack ever used: the painted words left untouched at the bottom
 * of [__stack_limit, __stack_top) were never written. */
static uint32_t stackHighWater(void) {
  const uint32_t *p = __stack_limit;
  while (p < __stack_top && *p == TEMPO_STACK_PAINT)
    ++p;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* Replaces librdimon's _exit (its own archive member, so no clash). */
__attribute__((noreturn)) void _exit(int status) {
  char line[80];
  char *p = appendString(line, "tempo-qemu: stack_hwm_bytes=");
  uint32_t used = stackHighWater();
  p = appendUnsigned(p, used, 10);
  if (used >= (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit))
    p = appendString(p, " (overflow)");
  *p++ = '\n';
  *p = '\0';
  writeConsole(line);
  /* SYS_EXIT_EXTENDED carries the exit code (semihosting v2; QEMU has it).
   * Should it return, fall back to SYS_EXIT, which only tells 0 from !0. */
  uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  semihost(SYS_EXIT_EXTENDED, block);
  semihost(SYS_EXIT, (void *)(uintptr_t)(status == 0
                                             ? ADP_STOPPED_APPLICATION_EXIT
                                             : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
  for (;;)
    ;
}

/* ---- Faults ------------------------------------------------------------- */

/* Called by tempo_fault_handler with the stacked exception frame. */
__attribute__((used, noreturn)) void tempo_report_fault(const uint32_t *frame) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  ipsr &= 0x1FF;
  char line[160];
  char *p = appendString(line, "tempo-qemu: fault: exception ");
  p = appendUnsigned(p, ipsr, 10);
  p = appendString(p, " pc=0x");
  p = appendUnsigned(p, frame[6], 16);
  p = appendString(p, " lr=0x");
  p = appendUnsigned(p, frame[5], 16);
#if __ARM_ARCH >= 7
  /* CFSR and HFSR (not implemented on v6-M). */
  p = appendString(p, " cfsr=0x");
  p = appendUnsigned(p, *(volatile uint32_t *)0xE000ED28u, 16);
  p = appendString(p, " hfsr=0x");
  p = appendUnsigned(p, *(volatile uint32_t *)0xE000ED2Cu, 16);
#endif
  *p++ = '\n';
  *p = '\0';
  writeConsole(line);
  /* QEMU passes the code on only with the "application exit" reason; any
   * other reason makes it exit with 1. */
  uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, 128u + ipsr};
  semihost(SYS_EXIT_EXTENDED, block);
  semihost(SYS_EXIT, (void *)ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
  for (;;)
    ;
}

/* Picks the stack the exception frame was pushed on (EXC_RETURN bit 2) and
 * hands it to tempo_report_fault. On a v8-M stack overflow (UsageFault
 * STKOF) the stack limit is lifted first so that reporting does not fault
 * again; the frame may then be garbage, but the exception number and fault
 * status still print. */
__attribute__((naked)) void tempo_fault_handler(void) {
  __asm__ volatile(
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
      "  movs r0, #0\n"
      "  msr msplim, r0\n"
#endif
      "  movs r0, #4\n"
      "  mov r1, lr\n"
      "  tst r0, r1\n"
      "  beq 1f\n"
      "  mrs r0, psp\n"
      "  b tempo_report_fault\n"
      "1:\n"
      "  mrs r0, msp\n"
      "  b tempo_report_fault\n");
}
