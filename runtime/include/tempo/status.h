/*===- tempo/status.h - Status codes, element types, tensor info ----------===*
 *
 * Part of the Tempo runtime. Linked into firmware: C-callable, no heap, no
 * exceptions, no RTTI, no static constructors.
 *
 *===----------------------------------------------------------------------===*/
#ifndef TEMPO_STATUS_H
#define TEMPO_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Every runtime call returns one of these. 0 is success. */
typedef enum tempo_status_t {
  TEMPO_OK = 0,
  /** A required pointer argument was null. */
  TEMPO_ERROR_NULL_ARGUMENT = 1,
  /** The caller's arena is smaller than the model's NAME_ARENA_SIZE. */
  TEMPO_ERROR_ARENA_TOO_SMALL = 2,
  /** The caller's arena is not aligned to NAME_ARENA_ALIGN bytes. */
  TEMPO_ERROR_ARENA_MISALIGNED = 3,
  /** An input/output index is out of range. */
  TEMPO_ERROR_BAD_INDEX = 4,
  /** The model instance was not initialised with NAME_init. */
  TEMPO_ERROR_NOT_INITIALIZED = 5,
  /** The tensor's element type has no float view (an integer tensor that
   *  is not quantized). */
  TEMPO_ERROR_UNSUPPORTED_TYPE = 6,
} tempo_status_t;

/** Element types of model inputs and outputs. Values are stable. */
typedef enum tempo_dtype_t {
  TEMPO_DTYPE_F32 = 1,
  TEMPO_DTYPE_U8 = 2,
  TEMPO_DTYPE_I8 = 3,
  TEMPO_DTYPE_U16 = 4,
  TEMPO_DTYPE_I16 = 5,
  TEMPO_DTYPE_I32 = 6,
  TEMPO_DTYPE_I64 = 7,
  TEMPO_DTYPE_BOOL = 9,
  TEMPO_DTYPE_F64 = 11,
} tempo_dtype_t;

/** The largest tensor rank the runtime handles. */
#define TEMPO_MAX_RANK 6

/** Describes one model input or output: where it lives in the arena. */
typedef struct tempo_tensor_info_t {
  /** The ONNX graph input/output name. */
  const char *name;
  tempo_dtype_t dtype;
  int32_t rank;
  int32_t dims[TEMPO_MAX_RANK];
  /** Byte offset of the tensor inside the arena. */
  uint32_t offset;
  /** Size of the tensor in bytes. */
  uint32_t bytes;
  /** A quantized tensor (int8 / uint8 storage): real = scale * (q -
   *  zero_point). scale is 0 for a tensor that is not quantized. */
  float scale;
  int32_t zero_point;
} tempo_tensor_info_t;

/** Logging compiles out unless TEMPO_LOG is defined before this header. */
#ifdef TEMPO_LOG
#define TEMPO_LOGF(...) TEMPO_LOG(__VA_ARGS__)
#else
#define TEMPO_LOGF(...) ((void)0)
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TEMPO_STATUS_H */
