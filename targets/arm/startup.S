/*===- startup.S - Reset handler for the Tempo QEMU Cortex-M targets ------===*
 *
 * Runs out of reset with SP already loaded from the vector table
 * (startup.c). Sets the stack, enables the FPU where the core has one (before
 * any compiled code can touch an FP register), paints the stack so that
 * _exit can report its high-water mark, then calls tempo_start (startup.c).
 * Written in the Thumb-1 subset so that it also assembles for v6-M.
 *
 *===----------------------------------------------------------------------===*/

  .syntax unified
  .thumb

  .section .text.Reset_Handler, "ax", %progbits
  .global Reset_Handler
  .type Reset_Handler, %function
  .thumb_func
Reset_Handler:
  /* Interrupts stay masked for the whole run, so instruction counts are
     the model's alone (HardFault and NMI are not masked by PRIMASK). */
  cpsid i
  ldr r0, =__stack_top
  mov sp, r0
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  /* v8-M Mainline: fault (UsageFault STKOF) instead of silently overflowing
     the stack into the heap and .bss. */
  ldr r0, =__stack_limit
  msr msplim, r0
#endif
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  /* CPACR (0xE000ED88): full access to CP10 and CP11 (FPU and MVE). */
  ldr r0, =0xE000ED88
  ldr r1, [r0]
  ldr r2, =(0xF << 20)
  orrs r1, r1, r2
  str r1, [r0]
  dsb
  isb
#endif
  /* Paint [__stack_limit, sp) with the pattern _exit scans for. */
  ldr r0, =__stack_limit
  mov r1, sp
  ldr r2, =0xDEADBEEF
1:
  cmp r0, r1
  bhs 2f
  str r2, [r0]
  adds r0, r0, #4
  b 1b
2:
  bl tempo_start
3:
  b 3b
  .ltorg
  .size Reset_Handler, . - Reset_Handler
