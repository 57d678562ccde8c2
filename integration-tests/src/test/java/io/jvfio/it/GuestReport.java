package io.jvfio.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the JUnit XML reports that the guests wrote and prints, per profile and in total, how many
 * tests ran, passed, failed and were skipped, each skip with its reason and each failure with its
 * message, and a test that HangGuard ended. Each line names the kernel the guest ran (its
 * {@code kernel-release}, which scripts/guest/guest-exec.sh records), e.g.
 * {@code guest tests (linux 7.2.12): 73 passed, 0 failed, 0 skipped}. Exits 1 on a failure or when no
 * test ran. scripts/guest/guest-test.sh runs it on the host:
 * java -cp TEST_CLASSES io.jvfio.it.GuestReport OUT_DIR
 */
public class GuestReport {
    public static void main(String[] args) throws Exception {
        File out = new File(args[0]);
        int passed = 0, failed = 0, skipped = 0;
        List<String> notes = new ArrayList<>();
        Set<String> kernels = new TreeSet<>();
        File[] profiles = out.listFiles(File::isDirectory);
        for (File profile : profiles == null ? new File[0] : profiles) {
            File[] reports = new File(profile, "reports").listFiles((d, n) -> n.endsWith(".xml"));
            int p = 0, f = 0, s = 0;
            for (File report : reports == null ? new File[0] : reports) {
                NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report)
                        .getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    String name = c.getAttribute("classname") + "." + c.getAttribute("name");
                    Element skip = first(c, "skipped");
                    Element fail = first(c, "failure");
                    Element error = first(c, "error");
                    if (skip != null) {
                        s++;
                        notes.add("  skipped " + name + ": " + reason(skip));
                    } else if (fail != null || error != null) {
                        f++;
                        notes.add("  FAILED  " + name + ": " + reason(fail != null ? fail : error));
                    } else {
                        p++;
                    }
                }
            }
            File hung = new File(profile, HangGuard.HUNG_TEST_FILE);
            if (hung.isFile()) {
                f++;
                notes.add("  HUNG    " + Files.readString(hung.toPath()).strip()
                        + "; its thread dump is in " + profile + "/console.log; later tests did not run");
            }
            String kernel = kernel(profile);
            kernels.add(kernel);
            System.out.printf("guest profile %s (%s): %d run, %d passed, %d failed, %d skipped%n",
                    profile.getName(), kernel, p + f + s, p, f, s);
            passed += p;
            failed += f;
            skipped += s;
        }
        notes.forEach(System.out::println);
        System.out.printf("guest tests (%s): %d passed, %d failed, %d skipped%n",
                kernels.isEmpty() ? "no guest ran" : String.join(", ", kernels), passed, failed, skipped);
        if (passed + failed == 0) {
            System.out.println("no guest test ran: that is a failure, not a pass");
            System.exit(1);
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** "linux RELEASE" as the profile's guest recorded it, or "linux unknown" if it never got that far. */
    private static String kernel(File profile) throws IOException {
        File release = new File(profile, "kernel-release");
        return "linux " + (release.isFile() ? Files.readString(release.toPath()).strip() : "unknown");
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
