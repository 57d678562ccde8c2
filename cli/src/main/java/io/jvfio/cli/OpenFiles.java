package io.jvfio.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The files processes hold open, read once the way lsof does: through /proc/PID/fd and fdinfo. */
final class OpenFiles {
    /** What /proc/PID/fd shows for a VFIO device fd got from a group (VFIO_GROUP_GET_DEVICE_FD). */
    private static final String GROUP_DEVICE_FD = "anon_inode:[vfio-device]";
    /** Where device cdevs are (the /dev of the holder's mount namespace, which may not be ours). */
    private static final String CDEV_DIR = "/vfio/devices/vfio";
    /** The fdinfo line naming a VFIO device fd's device, since Linux 6.18. */
    private static final String SYSPATH = "vfio-device-syspath:";

    private final List<Fd> fds;
    private final List<String> unreadable;

    private OpenFiles(List<Fd> fds, List<String> unreadable) {
        this.fds = fds;
        this.unreadable = unreadable;
    }

    /**
     * A VFIO device fd that a process holds: the process ("pid 1234 (qemu-system-x86)") and its
     * device's sysfs path, empty where the kernel does not say (before 6.18).
     */
    record DeviceFd(String process, Optional<String> syspath) {
        /** Whether the fd is known to be of the device whose sysfs directory is named {@code bdf}. */
        boolean isOf(String bdf) {
            return syspath.isPresent() && Path.of(syspath.get()).getFileName().toString().equals(bdf);
        }
    }

    /** One open fd: its process's /proc directory, its number and what its link points at. */
    private record Fd(Path proc, String number, String target) {
        String process() {
            return OpenFiles.process(proc);
        }
    }

    /** The processes' open fds of {@code files} and their VFIO device fds, as far as this user may see them. */
    static OpenFiles scan(List<Path> files) {
        List<Fd> fds = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : entries) {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            if (files.contains(Path.of(target)) || target.equals(GROUP_DEVICE_FD) || target.contains(CDEV_DIR)) {
                                fds.add(new Fd(proc, fd.getFileName().toString(), target));
                            }
                        } catch (IOException closed) {
                            // Closed since the listing.
                        }
                    }
                } catch (AccessDeniedException e) {
                    unreadable.add(process(proc)); // another user's, or root without CAP_SYS_PTRACE in a container
                } catch (IOException | SecurityException gone) {
                    // The process ended.
                }
            }
        } catch (IOException e) {
            unreadable.add("every process (/proc: " + e + ")");
        }
        return new OpenFiles(fds, unreadable);
    }

    /** e.g. "pid 1234 (qemu-system-x86)" for the first process holding one of {@code files} (of those scanned for). */
    Optional<String> holder(List<Path> files) {
        return fds.stream().filter(fd -> files.contains(Path.of(fd.target))).map(Fd::process).findFirst();
    }

    /**
     * The VFIO device fds got through a group, and those got through a cdev whose device the kernel
     * names (a cdev's path names it too, but in the holder's /dev). A process may close the group
     * and keep the device: the group then opens as if free, and the fd's /proc link names no device.
     */
    List<DeviceFd> vfioDeviceFds() {
        List<DeviceFd> out = new ArrayList<>();
        for (Fd fd : fds) {
            boolean cdev = fd.target.contains(CDEV_DIR);
            if (!cdev && !fd.target.equals(GROUP_DEVICE_FD)) {
                continue;
            }
            Optional<String> syspath;
            try {
                syspath = Files.readAllLines(fd.proc.resolve("fdinfo").resolve(fd.number)).stream()
                        .filter(l -> l.startsWith(SYSPATH)).map(l -> l.substring(SYSPATH.length()).trim()).findFirst();
            } catch (NoSuchFileException closed) {
                continue;
            } catch (IOException e) {
                syspath = Optional.empty(); // unread: the device is not known, which refuses as an unnamed one does
            }
            if (!cdev || syspath.isPresent()) {
                out.add(new DeviceFd(fd.process(), syspath));
            }
        }
        return out;
    }

    /** The processes whose open files could not be read. */
    List<String> unreadable() {
        return unreadable;
    }

    private static String process(Path proc) {
        return "pid " + proc.getFileName() + " (" + comm(proc) + ")";
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
