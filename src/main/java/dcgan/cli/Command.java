package dcgan.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A subcommand: declares its options, and runs with them parsed. Parsing, --help and the mapping of
 * errors to exit codes live here once.
 */
abstract class Command {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** A decimal number as people write one: digits with an optional point and exponent, nothing else. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** NaN and infinity in the spellings Java, C and Python print. */
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    /** Thrown for a well-formed but unacceptable option value; reported as a usage error. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    abstract String name();

    abstract String summary();

    abstract Options options();

    abstract int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception;

    final int execute(String[] args, PrintStream out, PrintStream err) {
        Options options = options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help and exit").build());
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).build().parse(options, args);
        } catch (MissingArgumentException e) {
            Option o = e.getOption();
            err.println("error: --" + o.getLongOpt() + " needs a value: --" + o.getLongOpt() + " " + o.getArgName());
            err.println("see 'run.sh " + name() + " --help'");
            return USAGE;
        } catch (ParseException e) {
            err.println("error: " + e.getMessage());
            err.println("see 'run.sh " + name() + " --help'");
            return USAGE;
        }
        if (cl.hasOption("help")) {
            help(options, out);
            return OK;
        }
        if (!cl.getArgList().isEmpty()) {
            err.println("error: unexpected argument(s) " + cl.getArgList() + "; see 'run.sh " + name() + " --help'");
            return USAGE;
        }
        try {
            refuseRepeats(cl);
            return run(cl, out, err);
        } catch (Exception | OutOfMemoryError e) {
            return report(e, err);
        }
    }

    /**
     * Prints what went wrong on one line (two for a usage error) and returns the exit status: 2 for a bad
     * command line, 1 for work that failed.
     */
    final int report(Throwable e, PrintStream err) {
        if (e instanceof UsageException) {
            err.println("error: " + e.getMessage());
            err.println("see 'run.sh " + name() + " --help'");
            return USAGE;
        }
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof OutOfMemoryError) {
            err.println("error: out of memory (Java heap at most " + Runtime.getRuntime().maxMemory() / (1 << 20)
                        + " MiB); use a smaller --batch-size, or a larger heap: JAVA_OPTS=-Xmx8g ./run.sh ...");
            return FAILED;
        }
        boolean ours = e instanceof IOException || e instanceof IllegalStateException || e.getMessage() == null;
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // Anything else is a bug: say which kind, so that the one line is still worth reporting.
        err.println("error: " + (ours ? message : e.getClass().getSimpleName() + ": " + message));
        return FAILED;
    }

    /** commons-cli keeps the first of two values silently; a repeated option is more likely a mistake. */
    private static void refuseRepeats(CommandLine cl) throws UsageException {
        java.util.Map<String, java.util.List<String>> seen = new java.util.LinkedHashMap<>();
        for (Option o : cl.getOptions()) {
            seen.computeIfAbsent(o.getLongOpt(), k -> new java.util.ArrayList<>())
                    .add(o.getValue() == null ? "" : " " + o.getValue());
        }
        for (var e : seen.entrySet()) {
            if (e.getValue().size() > 1) {
                throw new UsageException("--" + e.getKey() + " is given " + e.getValue().size() + " times (--"
                        + e.getKey() + String.join(", --" + e.getKey(), e.getValue()) + "); give it once");
            }
        }
    }

    private void help(Options options, PrintStream out) {
        HelpFormatter f = new HelpFormatter();
        f.setWidth(100);
        f.setOptionComparator(null);
        PrintWriter w = new PrintWriter(out);
        f.printHelp(w, 100, "run.sh " + name() + " [options]", summary(), options, 2, 2, "", false);
        w.flush();
    }

    static int intOption(CommandLine cl, String name, int def, int min) throws UsageException {
        long v = longOption(cl, name, def, min);
        if (v > Integer.MAX_VALUE) {
            throw new UsageException("--" + name + " is too large: " + v);
        }
        return (int) v;
    }

    static long longOption(CommandLine cl, String name, long def, long min) throws UsageException {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return def;
        }
        long v;
        try {
            v = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a whole number, got '" + s + "'");
        }
        if (v < min) {
            throw new UsageException("--" + name + " must be at least " + min + ", got " + v);
        }
        return v;
    }

    static float floatOption(CommandLine cl, String name, float def) throws UsageException {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return def;
        }
        String t = s.trim();
        if (NON_FINITE.matcher(t).matches()) {
            throw new UsageException("--" + name + " needs a finite number, got '" + s + "'");
        }
        if (!DECIMAL.matcher(t).matches()) {
            throw new UsageException("--" + name + " needs a number, got '" + s + "'");
        }
        double v = Double.parseDouble(t);
        if (!Float.isFinite((float) v)) {
            throw new UsageException("--" + name + " " + s + " is out of the range of a float (at most about 3.4e38 "
                                     + "in size)");
        }
        if (v != 0 && (float) v == 0) {
            throw new UsageException("--" + name + " " + s + " is too small for a float (at least about 1.4e-45 in "
                                     + "size, or 0)");
        }
        return (float) v;
    }

    /**
     * A path option, relative to the directory the command was started in; an empty value (which would
     * quietly mean that directory) is refused.
     */
    static Path pathOption(CommandLine cl, String name, Path def) throws UsageException {
        String s = cl.getOptionValue(name);
        if (s == null) {
            return def;
        }
        if (s.isBlank()) {
            throw new UsageException("--" + name + " needs a path, got an empty one");
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new UsageException("--" + name + " '" + s + "' is not a path: " + e.getReason());
        }
    }

    static Option valued(String longName, String arg, String description) {
        return Option.builder().longOpt(longName).hasArg().argName(arg).desc(description).build();
    }
}
