package io.jvfio.cli;

/** Sizes and addresses as users type them: 4096, 0x1000, 64K, 16M, 1G. */
final class SizeParser {
    private SizeParser() {}

    /** {@link #parse(String)}, its error a {@link BadArgumentException} naming {@code option}. */
    static long parse(String option, String text) {
        return BadArgumentException.reading(option, () -> parse(text));
    }

    static long parse(String text) {
        String s = text.trim();
        boolean hex = s.startsWith("0x") || s.startsWith("0X");
        long unit = 1;
        char last = s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1));
        if (!hex && (last == 'K' || last == 'M' || last == 'G')) {
            unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        try {
            long value = hex ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size or address (e.g. 4096, 0x1000, 64K, 16M, 1G)");
        }
    }
}
