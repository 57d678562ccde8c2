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
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs jvfio's guest integration suite inside the project's container image, as CI pipelines run it:
 * QEMU (TCG) and the guests in a container, once per kernel lane the image carries, 6.12 then 7.2,
 * each in a container of its own (JVFIO_KERNEL picks the lane). scripts/container/container-test.sh
 * builds the image and starts the engine; without an engine, or without the image, the tests are
 * skipped with the reason, except under CI=true, where that fails.
 */
class GuestSuiteInContainerIT {
    /**
     * The image container-test.sh built for this checkout (by the hash of its files): not "latest",
     * which another checkout's run on the same machine may have tagged meanwhile.
     */
    static final String IMAGE = System.getProperty("jvfio.container.image",
            Objects.requireNonNullElse(System.getenv("JVFIO_CONTAINER_IMAGE"), "local/jvfio:latest"));
    /** GuestReport's summary line, which names the guests' kernels: "guest tests (linux 6.12.117): 73 passed, ...". */
    private static final Pattern SUMMARY = Pattern.compile("guest tests \\(([^)]*)\\): (\\d+) passed, (\\d+) failed, (\\d+) skipped");

    @BeforeEach
    void engineAndImagePresent() {
        engineAndImage();
    }

    /** Skips (fails under CI=true) without a container engine or without the image. */
    static void engineAndImage() {
        requireOrSkip(DockerClientFactory.instance().isDockerAvailable(),
                "no container engine reachable (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "); scripts/container/container-test.sh starts one");
        boolean present = !DockerClientFactory.instance().client().listImagesCmd()
                .withFilter("reference", List.of(IMAGE)).exec().isEmpty();
        requireOrSkip(present, "no image " + IMAGE + "; scripts/container/container-test.sh builds it");
    }

    /** A developer without podman skips, saying why; CI (CI=true) must run the test, so there it fails. */
    static void requireOrSkip(boolean condition, String why) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true, and the container test cannot run: " + why);
        }
        assumeTrue(condition, why);
    }

    @ParameterizedTest(name = "the guest suite passes on Linux {0} inside the container")
    @ValueSource(strings = {"6.12", "7.2"})
    void theGuestSuitePassesInsideTheContainer(String lane) throws Exception {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withImagePullPolicy(image -> false)
                .withEnv("JVFIO_KERNEL", lane)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(30)));
        String log = "";
        long start = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            log = container.getLogs();
            throw new AssertionError("the Linux " + lane + " guest suite failed in the container; its log follows\n"
                    + save(lane, log), e);
        } finally {
            log = log.isEmpty() ? container.getLogs() : log;
            container.stop();
        }
        System.out.printf("container run, Linux %s lane: %.0f s%n", lane, (System.nanoTime() - start) / 1e9);
        Matcher m = SUMMARY.matcher(log);
        assertTrue(m.find(), "no suite summary in the container log:\n" + save(lane, log));
        assertEquals("0", m.group(3), "failed guest tests:\n" + save(lane, log));
        assertEquals("0", m.group(4), "skipped guest tests (none skips by design):\n" + save(lane, log));
        // Both guests must have booted the lane's kernel, e.g. "linux 7.2.12", not the image's default.
        assertTrue(m.group(1).matches("linux " + Pattern.quote(lane) + "\\.\\S+"),
                "the Linux " + lane + " run booted " + m.group(1) + ":\n" + save(lane, log));
        assertTrue(Integer.parseInt(m.group(2)) > 0, "no guest test ran:\n" + save(lane, log));
        System.out.println(m.group());
    }

    /** Keeps a lane's container log beside the test reports and returns it for the failure message. */
    private static String save(String lane, String log) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "container"));
        Files.writeString(dir.resolve("guest-suite-" + lane + ".log"), log, StandardCharsets.UTF_8);
        return log;
    }
}
