/*===- semihost_check.c - Checks the bare-metal runtime of targets/arm -----===*
 *
 * Run by check_boards.py on every QEMU board:
 *   semihost_check IN OUT CODE [fault]
 * Checks that .data was copied and .bss zeroed, that single- and (where the
 * FPU has it) double-precision math runs, reads IN through newlib's
 * semihosting stdio, writes its bytes reversed to OUT, prints argc/argv on
 * stdout and a line on stderr, and exits with CODE. With "fault" it stores
 * to an unmapped address instead, which the start-up code must report as
 * exit status 128 + 3 (HardFault).
 *
 *===----------------------------------------------------------------------===*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int gInitialised = 0x1234;
static unsigned char gZeroed[256];
static unsigned char gBuf[4096];

int main(int argc, char **argv) {
  printf("argc=%d", argc);
  for (int i = 0; i < argc; ++i)
    printf(" [%s]", argv[i]);
  printf("\n");
  fprintf(stderr, "stderr works\n");
  if (argc < 4)
    return 10;
  if (gInitialised != 0x1234)
    return 11;
  for (unsigned i = 0; i < sizeof gZeroed; ++i)
    if (gZeroed[i])
      return 12;
  volatile float f = 1.5f;
  volatile double d = 1.0 / 3.0;
  if (f * 3.0f != 4.5f || d * 3.0 != 1.0)
    return 13;
  if (argc == 5 && strcmp(argv[4], "fault") == 0)
    *(volatile unsigned *)0xF0000000u = 1;
  FILE *in = fopen(argv[1], "rb");
  if (!in)
    return 14;
  size_t n = fread(gBuf, 1, sizeof gBuf, in);
  fclose(in);
  for (size_t i = 0; i < n / 2; ++i) {
    unsigned char t = gBuf[i];
    gBuf[i] = gBuf[n - 1 - i];
    gBuf[n - 1 - i] = t;
  }
  FILE *out = fopen(argv[2], "wb");
  if (!out)
    return 15;
  if (fwrite(gBuf, 1, n, out) != n)
    return 16;
  fclose(out);
  return atoi(argv[3]);
}
