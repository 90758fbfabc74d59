package dcgan.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * A subcommand: declares its options, and runs with them parsed. Parsing, --help and the mapping of
 * errors to exit codes live here once.
 */
abstract class Command {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

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
            return run(cl, out, err);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("see 'run.sh " + name() + " --help'");
            return USAGE;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory (Java heap at most " + Runtime.getRuntime().maxMemory() / (1 << 20)
                        + " MiB); use a smaller --batch-size, or a larger heap: JAVA_OPTS=-Xmx8g ./run.sh ...");
            return FAILED;
        } catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILED;
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
        try {
            float v = Float.parseFloat(s.trim());
            if (!Float.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, got '" + s + "'");
        }
    }

    static Option valued(String longName, String arg, String description) {
        return Option.builder().longOpt(longName).hasArg().argName(arg).desc(description).build();
    }
}
