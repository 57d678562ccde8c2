package io.jvfio.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs jvfio's guest integration suite inside the project's container image: QEMU (TCG) and the
 * Linux 6.12 guest in a container, as CI pipelines run them. scripts/container/container-test.sh builds the
 * image and starts the engine; without an engine, or without the image, the tests are skipped with
 * the reason, except under CI=true, where that fails.
 */
class GuestSuiteInContainerIT {
    private static final String IMAGE = System.getProperty("jvfio.container.image", "local/jvfio:latest");
    /** GuestReport's summary line, which names the guest's kernel: "guest tests (linux 6.12.117): 73 passed, ...". */
    private static final Pattern SUMMARY = Pattern.compile("guest tests \\([^)]*\\): (\\d+) passed, (\\d+) failed, (\\d+) skipped");

    @BeforeEach
    void engineAndImage() {
        requireOrSkip(DockerClientFactory.instance().isDockerAvailable(),
                "no container engine reachable (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "); scripts/container/container-test.sh starts one");
        boolean present = !DockerClientFactory.instance().client().listImagesCmd()
                .withFilter("reference", List.of(IMAGE)).exec().isEmpty();
        requireOrSkip(present, "no image " + IMAGE + "; scripts/container/container-test.sh builds it");
    }

    /** A developer without podman skips, saying why; CI (CI=true) must run the test, so there it fails. */
    private static void requireOrSkip(boolean condition, String why) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true, and the container test cannot run: " + why);
        }
        assumeTrue(condition, why);
    }

    @Test
    void theGuestSuitePassesInsideTheContainer() throws Exception {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withImagePullPolicy(image -> false)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(30)));
        String log = "";
        long start = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            log = container.getLogs();
            throw new AssertionError("the guest suite failed in the container; its log follows\n" + save(log), e);
        } finally {
            log = log.isEmpty() ? container.getLogs() : log;
            container.stop();
        }
        System.out.printf("container run: %.0f s%n", (System.nanoTime() - start) / 1e9);
        Matcher m = SUMMARY.matcher(log);
        assertTrue(m.find(), "no suite summary in the container log:\n" + save(log));
        assertEquals("0", m.group(2), "failed guest tests:\n" + save(log));
        assertTrue(Integer.parseInt(m.group(1)) > 0, "no guest test ran:\n" + save(log));
        System.out.println(m.group());
    }

    /** Keeps the container log beside the test reports and returns it for the failure message. */
    private static String save(String log) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "container"));
        Files.writeString(dir.resolve("guest-suite.log"), log, StandardCharsets.UTF_8);
        return log;
    }
}
