/* flink/javaser.h — a checker for the one Java Object Serialization stream that ends a V4+ `_metadata`
 * (Flink's CheckpointProperties). It walks the stream's grammar far enough to know that every byte is
 * there and that exactly one object fills the rest of the file, and notes whether the snapshot type in it
 * is a CheckpointType or a SavepointType. It must not build objects, allocate or understand anything
 * beyond that: the trailer names no file. Constructs CheckpointProperties never uses (proxy classes,
 * class objects, exceptions, resets, externalizable classes) are refused, which fails closed. */
#ifndef UR_FLINK_JAVASER_H
#define UR_FLINK_JAVASER_H

#include <stddef.h>
#include <stdint.h>

#include "flink/metadata.h"

/* Checks p[0..n) (a stream starting with AC ED 00 05 and holding one object, to the last byte). base is
 * the stream's offset in the file, for messages. On success returns 0 and sets *snapshot from the class
 * names seen (UNKNOWN when neither or both appear); else -EBADMSG with err filled (why =
 * UR_FLINK_E_TRAILER, or UR_FLINK_E_TRUNCATED when the stream stops early). */
int ur_flink_javaser_check(const uint8_t *p, size_t n, uint64_t base, enum ur_flink_snapshot *snapshot,
                           struct ur_flink_error *err);

#endif
