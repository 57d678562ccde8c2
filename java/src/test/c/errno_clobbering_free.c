/* LD_PRELOAD for ErrnoAfterReleaseTest: a free() that sets errno, as POSIX allowed before 2024 and
 * some allocators do. The shim must read errno before it releases a JNI string copy. */
#include <errno.h>

extern void __libc_free(void *p);

void free(void *p)
{
    __libc_free(p);
    errno = EIO;
}
