import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH's CSV result of the binding benchmarks into a Markdown table: one row per operation, one
 * column per binding (ns/op ± the 99.9% error), and each binding's ratio to JNI.
 *   java scripts/bench/BindingsTable.java RESULT.csv "MACHINE LINE"
 */
public class BindingsTable {
    private static final List<String> BINDINGS = List.of("Jni", "Jna", "Jnr", "Ffm", "FfmCritical");
    private static final Map<String, String> NAMES = Map.of("Jni", "JNI (jvfio)", "Jna", "JNA direct", "Jnr", "jnr-ffi", "Ffm", "FFM",
            "FfmCritical", "FFM critical");
    private static final Map<String, String> OPERATIONS = new LinkedHashMap<>();

    static {
        OPERATIONS.put("noopCall", "no-op native call");
        OPERATIONS.put("eventfdWriteRead", "eventfd write + read");
        OPERATIONS.put("faultBatch64", "fault batch: 64 records read, grouped, answered");
    }

    public static void main(String[] args) throws Exception {
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0])).subList(1, Files.readAllLines(Path.of(args[0])).size())) {
            String[] f = line.replace("\"", "").split(",");
            String name = f[0].substring(f[0].lastIndexOf("bindings.") + "bindings.".length());
            scores.put(name, new double[] {Double.parseDouble(f[4]), f[5].isEmpty() || f[5].equals("NaN") ? 0 : Double.parseDouble(f[5])});
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| operation |");
        for (String b : BINDINGS) {
            sb.append(' ').append(NAMES.get(b)).append(" ns/op |");
        }
        for (String b : BINDINGS.subList(1, BINDINGS.size())) {
            sb.append(' ').append(NAMES.get(b)).append(" / JNI |");
        }
        sb.append("\n|---|").append("---|".repeat(2 * BINDINGS.size() - 1)).append('\n');
        for (Map.Entry<String, String> op : OPERATIONS.entrySet()) {
            sb.append("| ").append(op.getValue()).append(" |");
            double[] jni = scores.get("JniBinding." + op.getKey());
            for (String b : BINDINGS) {
                double[] s = scores.get(b + "Binding." + op.getKey());
                sb.append(s == null ? " - |" : String.format(" %.1f ± %.1f |", s[0], s[1]));
            }
            for (String b : BINDINGS.subList(1, BINDINGS.size())) {
                double[] s = scores.get(b + "Binding." + op.getKey());
                sb.append(s == null || jni == null ? " - |" : String.format(" %.2f |", s[0] / jni[0]));
            }
            sb.append('\n');
        }
        sb.append('\n').append(args.length > 1 ? args[1] : "").append('\n');
        System.out.print(sb);
    }
}
