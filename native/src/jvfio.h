/* Shared definitions of the jvfio JNI shim. One .c file per concern, each registering the natives it
 * defines on its Java "natives" class in io.jvfio.internal; JNI_OnLoad calls every registration.
 * The testing library (native/testing) uses the same conventions and helpers.
 * Conventions: only primitives and long addresses cross the boundary; a call returns a value >= 0
 * or -errno; struct layouts and kernel constants reach Java through each class's constants()
 * table, never hard-coded in Java. */
#ifndef JVFIO_H
#define JVFIO_H

#include <errno.h>
#include <jni.h>
#include <stddef.h>
#include <stdint.h>

/* Bumped whenever a native signature or a constant's meaning changes; Java checks it on load. */
#define JVFIO_ABI_VERSION 5

#define JVFIO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define JVFIO_ADDR(a) ((void *)(uintptr_t)(a))

/* The one error convention: a failed call returns -errno, read by JVFIO_ERR() or jvfio_result() in
 * the statement that made the call, before anything else runs. Releasing a JNI string copy calls
 * free(), and free() and close() may change errno: a native that takes a string converts the result
 * first, then releases the string (ErrnoAfterReleaseTest checks this). */
#define JVFIO_ERR() (-errno)

/* Retries a syscall expression interrupted by a signal; the JVM sends a few. */
#define JVFIO_RETRY(expr)                                                                           \
    ({                                                                                             \
        long _r;                                                                                   \
        do {                                                                                       \
            _r = (long)(expr);                                                                     \
        } while (_r == -1 && errno == EINTR);                                                      \
        _r;                                                                                        \
    })

/* One named kernel constant or layout fact (sizeof, offsetof, ioctl number, flag). */
struct jvfio_constant {
    const char *name;
    int64_t value;
};
#define JVFIO_CONST(name) { #name, (int64_t)(name) }
#define JVFIO_SIZEOF(type) { "sizeof " #type, (int64_t)sizeof(struct type) }
#define JVFIO_OFFSETOF(type, field) { #type "." #field, (int64_t)offsetof(struct type, field) }

/* Returns the table as one "name=value\n..." string; Java parses it once at class init. */
jstring jvfio_constants_string(JNIEnv *env, const struct jvfio_constant *table, size_t count);

/* Registers `methods` on the class `class_name`; returns JNI_OK or JNI_ERR (with a pending
 * exception naming the class). */
int jvfio_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count);

/* For calls that return -1 and set errno on failure: -errno then, the call's own result otherwise. */
static inline jlong jvfio_result(long r) { return r == -1 ? JVFIO_ERR() : (jlong)r; }

int jvfio_register_unix(JNIEnv *env);
int jvfio_register_unix_fd(JNIEnv *env);
int jvfio_register_unix_memory(JNIEnv *env);
int jvfio_register_unix_epoll(JNIEnv *env);
int jvfio_register_unix_limits(JNIEnv *env);
int jvfio_register_vfio(JNIEnv *env);
int jvfio_register_mmio(JNIEnv *env);
int jvfio_register_iommufd(JNIEnv *env);
int jvfio_register_fault(JNIEnv *env);

#endif
