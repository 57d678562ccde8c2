/* The testing library (libjvfio-testing): C reference loops for the benchmarks, the kernel's iommufd
 * test mock, and raw I/O for the binding benchmark and for tests. Not part of the product: it ships
 * in the jvfio-testing artifact with its Java side in io.jvfio.testing. It follows the product shim's
 * conventions (jvfio.h) and registers its natives in its own JNI_OnLoad (testing.c). */
#ifndef JVFIO_TESTING_H
#define JVFIO_TESTING_H

#include "jvfio.h"

#include <time.h>

/* Bumped whenever a testing native's signature or meaning changes; TestingLibrary checks it on load. */
#define JVFIO_TESTING_ABI_VERSION 4

/* CLOCK_MONOTONIC in nanoseconds, for the reference loops' timings. */
static inline int64_t jvfio_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int jvfio_register_iommufd_mock(JNIEnv *env);
int jvfio_register_dma_loop(JNIEnv *env);
int jvfio_register_fault_reference_loop(JNIEnv *env);
int jvfio_register_raw_io(JNIEnv *env);
int jvfio_register_thread_signals(JNIEnv *env);

#endif
