package io.jvfio;

/**
 * errno names and descriptions, as glibc's strerrorname_np and strerrordesc_np give them, for the
 * numbers Linux uses on x86_64 and arm64 (asm-generic/errno-base.h and errno.h). A Java table, so an
 * exception builds its message without calling into C; ErrnoNamesTest checks the numbers against
 * the C library's.
 */
final class ErrnoNames {
    private static final String[] NAMES = new String[134];
    private static final String[] TEXTS = new String[134];

    static {
        define(1, "EPERM", "Operation not permitted");
        define(2, "ENOENT", "No such file or directory");
        define(3, "ESRCH", "No such process");
        define(4, "EINTR", "Interrupted system call");
        define(5, "EIO", "Input/output error");
        define(6, "ENXIO", "No such device or address");
        define(7, "E2BIG", "Argument list too long");
        define(8, "ENOEXEC", "Exec format error");
        define(9, "EBADF", "Bad file descriptor");
        define(10, "ECHILD", "No child processes");
        define(11, "EAGAIN", "Resource temporarily unavailable");
        define(12, "ENOMEM", "Cannot allocate memory");
        define(13, "EACCES", "Permission denied");
        define(14, "EFAULT", "Bad address");
        define(15, "ENOTBLK", "Block device required");
        define(16, "EBUSY", "Device or resource busy");
        define(17, "EEXIST", "File exists");
        define(18, "EXDEV", "Invalid cross-device link");
        define(19, "ENODEV", "No such device");
        define(20, "ENOTDIR", "Not a directory");
        define(21, "EISDIR", "Is a directory");
        define(22, "EINVAL", "Invalid argument");
        define(23, "ENFILE", "Too many open files in system");
        define(24, "EMFILE", "Too many open files");
        define(25, "ENOTTY", "Inappropriate ioctl for device");
        define(26, "ETXTBSY", "Text file busy");
        define(27, "EFBIG", "File too large");
        define(28, "ENOSPC", "No space left on device");
        define(29, "ESPIPE", "Illegal seek");
        define(30, "EROFS", "Read-only file system");
        define(31, "EMLINK", "Too many links");
        define(32, "EPIPE", "Broken pipe");
        define(33, "EDOM", "Numerical argument out of domain");
        define(34, "ERANGE", "Numerical result out of range");
        define(35, "EDEADLK", "Resource deadlock avoided");
        define(36, "ENAMETOOLONG", "File name too long");
        define(37, "ENOLCK", "No locks available");
        define(38, "ENOSYS", "Function not implemented");
        define(39, "ENOTEMPTY", "Directory not empty");
        define(40, "ELOOP", "Too many levels of symbolic links");
        define(42, "ENOMSG", "No message of desired type");
        define(43, "EIDRM", "Identifier removed");
        define(44, "ECHRNG", "Channel number out of range");
        define(45, "EL2NSYNC", "Level 2 not synchronized");
        define(46, "EL3HLT", "Level 3 halted");
        define(47, "EL3RST", "Level 3 reset");
        define(48, "ELNRNG", "Link number out of range");
        define(49, "EUNATCH", "Protocol driver not attached");
        define(50, "ENOCSI", "No CSI structure available");
        define(51, "EL2HLT", "Level 2 halted");
        define(52, "EBADE", "Invalid exchange");
        define(53, "EBADR", "Invalid request descriptor");
        define(54, "EXFULL", "Exchange full");
        define(55, "ENOANO", "No anode");
        define(56, "EBADRQC", "Invalid request code");
        define(57, "EBADSLT", "Invalid slot");
        define(59, "EBFONT", "Bad font file format");
        define(60, "ENOSTR", "Device not a stream");
        define(61, "ENODATA", "No data available");
        define(62, "ETIME", "Timer expired");
        define(63, "ENOSR", "Out of streams resources");
        define(64, "ENONET", "Machine is not on the network");
        define(65, "ENOPKG", "Package not installed");
        define(66, "EREMOTE", "Object is remote");
        define(67, "ENOLINK", "Link has been severed");
        define(68, "EADV", "Advertise error");
        define(69, "ESRMNT", "Srmount error");
        define(70, "ECOMM", "Communication error on send");
        define(71, "EPROTO", "Protocol error");
        define(72, "EMULTIHOP", "Multihop attempted");
        define(73, "EDOTDOT", "RFS specific error");
        define(74, "EBADMSG", "Bad message");
        define(75, "EOVERFLOW", "Value too large for defined data type");
        define(76, "ENOTUNIQ", "Name not unique on network");
        define(77, "EBADFD", "File descriptor in bad state");
        define(78, "EREMCHG", "Remote address changed");
        define(79, "ELIBACC", "Can not access a needed shared library");
        define(80, "ELIBBAD", "Accessing a corrupted shared library");
        define(81, "ELIBSCN", ".lib section in a.out corrupted");
        define(82, "ELIBMAX", "Attempting to link in too many shared libraries");
        define(83, "ELIBEXEC", "Cannot exec a shared library directly");
        define(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        define(85, "ERESTART", "Interrupted system call should be restarted");
        define(86, "ESTRPIPE", "Streams pipe error");
        define(87, "EUSERS", "Too many users");
        define(88, "ENOTSOCK", "Socket operation on non-socket");
        define(89, "EDESTADDRREQ", "Destination address required");
        define(90, "EMSGSIZE", "Message too long");
        define(91, "EPROTOTYPE", "Protocol wrong type for socket");
        define(92, "ENOPROTOOPT", "Protocol not available");
        define(93, "EPROTONOSUPPORT", "Protocol not supported");
        define(94, "ESOCKTNOSUPPORT", "Socket type not supported");
        define(95, "EOPNOTSUPP", "Operation not supported");
        define(96, "EPFNOSUPPORT", "Protocol family not supported");
        define(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        define(98, "EADDRINUSE", "Address already in use");
        define(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        define(100, "ENETDOWN", "Network is down");
        define(101, "ENETUNREACH", "Network is unreachable");
        define(102, "ENETRESET", "Network dropped connection on reset");
        define(103, "ECONNABORTED", "Software caused connection abort");
        define(104, "ECONNRESET", "Connection reset by peer");
        define(105, "ENOBUFS", "No buffer space available");
        define(106, "EISCONN", "Transport endpoint is already connected");
        define(107, "ENOTCONN", "Transport endpoint is not connected");
        define(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        define(109, "ETOOMANYREFS", "Too many references: cannot splice");
        define(110, "ETIMEDOUT", "Connection timed out");
        define(111, "ECONNREFUSED", "Connection refused");
        define(112, "EHOSTDOWN", "Host is down");
        define(113, "EHOSTUNREACH", "No route to host");
        define(114, "EALREADY", "Operation already in progress");
        define(115, "EINPROGRESS", "Operation now in progress");
        define(116, "ESTALE", "Stale file handle");
        define(117, "EUCLEAN", "Structure needs cleaning");
        define(118, "ENOTNAM", "Not a XENIX named type file");
        define(119, "ENAVAIL", "No XENIX semaphores available");
        define(120, "EISNAM", "Is a named type file");
        define(121, "EREMOTEIO", "Remote I/O error");
        define(122, "EDQUOT", "Disk quota exceeded");
        define(123, "ENOMEDIUM", "No medium found");
        define(124, "EMEDIUMTYPE", "Wrong medium type");
        define(125, "ECANCELED", "Operation canceled");
        define(126, "ENOKEY", "Required key not available");
        define(127, "EKEYEXPIRED", "Key has expired");
        define(128, "EKEYREVOKED", "Key has been revoked");
        define(129, "EKEYREJECTED", "Key was rejected by service");
        define(130, "EOWNERDEAD", "Owner died");
        define(131, "ENOTRECOVERABLE", "State not recoverable");
        define(132, "ERFKILL", "Operation not possible due to RF-kill");
        define(133, "EHWPOISON", "Memory page has hardware error");
    }

    private ErrnoNames() {}

    private static void define(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    /** e.g. "EINVAL"; "errno N" for a number the C library has no name for (the kernel's internal ones). */
    static String name(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /** e.g. "Invalid argument". */
    static String text(int errno) {
        String text = errno > 0 && errno < TEXTS.length ? TEXTS[errno] : null;
        return text != null ? text : "Unknown error";
    }

    /** e.g. "EINVAL (Invalid argument)". */
    static String describe(int errno) {
        return name(errno) + " (" + text(errno) + ")";
    }
}
