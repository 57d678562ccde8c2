package io.jvfio.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the JUnit XML reports of the guest suites (Surefire's, or the console launcher's, written on the
 * host by the @VfioGuest extension) and prints, per guest (package io.jvfio.it.vfio or .iopf) and in total,
 * how many tests ran, passed, failed and were skipped, each skip with its reason and each failure with its
 * message. Each line names the kernel the guests ran (the {@code kernel-release} that
 * scripts/guest/guest-exec.sh records in each guest's directory), e.g.
 * {@code guest tests (linux 7.2.12): 82 passed, 0 failed, 0 skipped}. Exits 1 on a failure, when no
 * test ran, and under CI=true when a test was skipped.
 * <pre>java -cp TEST_CLASSES io.jvfio.it.GuestReport REPORTS_DIR GUESTS_DIR</pre>
 */
public class GuestReport {
    private static final String PACKAGE = "io.jvfio.it.";

    public static void main(String[] args) throws Exception {
        File[] reports = new File(args[0]).listFiles((d, n) -> n.startsWith("TEST-") && n.endsWith(".xml"));
        String kernels = kernels(Path.of(args[1]));
        Map<String, int[]> byGuest = new TreeMap<>(); // passed, failed, skipped
        List<String> notes = new ArrayList<>();
        for (File report : reports == null ? new File[0] : reports) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report)
                    .getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                String className = c.getAttribute("classname");
                if (!className.startsWith(PACKAGE)) {
                    continue;
                }
                String guest = className.substring(PACKAGE.length()).split("\\.")[0];
                int[] counts = byGuest.computeIfAbsent(guest, g -> new int[3]);
                String name = className + "." + c.getAttribute("name");
                Element skip = first(c, "skipped");
                Element fail = first(c, "failure");
                Element error = first(c, "error");
                if (skip != null) {
                    counts[2]++;
                    notes.add("  skipped " + name + ": " + reason(skip));
                } else if (fail != null || error != null) {
                    counts[1]++;
                    notes.add("  FAILED  " + name + ": " + reason(fail != null ? fail : error));
                } else {
                    counts[0]++;
                }
            }
        }
        int passed = 0, failed = 0, skipped = 0;
        for (Map.Entry<String, int[]> g : byGuest.entrySet()) {
            int[] n = g.getValue();
            System.out.printf("guest profile %s (%s): %d run, %d passed, %d failed, %d skipped%n",
                    g.getKey(), kernels, n[0] + n[1] + n[2], n[0], n[1], n[2]);
            passed += n[0];
            failed += n[1];
            skipped += n[2];
        }
        notes.forEach(System.out::println);
        System.out.printf("guest tests (%s): %d passed, %d failed, %d skipped%n", kernels, passed, failed, skipped);
        if (passed + failed == 0) {
            System.out.println("no guest test ran: that is a failure, not a pass");
            System.exit(1);
        }
        if (skipped > 0 && "true".equals(System.getenv("CI"))) {
            // No guest test skips by design: a skip under CI is a test that stopped guarding anything.
            System.out.println("CI=true and " + skipped + " guest test(s) skipped: under CI that is a failure");
            System.exit(1);
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** "linux RELEASE[, ...]" as the guests recorded it, or "no guest ran". */
    private static String kernels(Path guests) throws IOException {
        Set<String> kernels = new TreeSet<>();
        if (Files.isDirectory(guests)) {
            try (Stream<Path> files = Files.find(guests, 2, (p, a) -> p.getFileName().toString().equals("kernel-release"))) {
                for (Path release : files.toList()) {
                    kernels.add("linux " + Files.readString(release).strip());
                }
            }
        }
        return kernels.isEmpty() ? "no guest ran" : String.join(", ", kernels);
    }

    private static Element first(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    private static String reason(Element e) {
        String m = e.getAttribute("message");
        if (m.isEmpty()) {
            m = e.getTextContent().strip().lines().findFirst().orElse("");
        }
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
