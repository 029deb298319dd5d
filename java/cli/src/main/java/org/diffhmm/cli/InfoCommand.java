package org.diffhmm.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.diffhmm.Diffhmm;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code diffhmm info}: version, backends, GPU or the reason there is none, library location, threads. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the version, the available backends (with the GPU's name, memory and "
        + "driver, or why CUDA is unavailable), where the native library was loaded from, and the CPU threads.")
final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("diffhmm %s%n", Diffhmm.version());
        out.printf("native library: %s%n", Diffhmm.nativeLibrary());
        out.printf("CPU backend: available, %s instructions, %d threads%n", Diffhmm.cpuIsa(), Diffhmm.cpuThreads());
        if (Diffhmm.cudaAvailable()) {
            out.printf("CUDA backend: available — %s%n", Diffhmm.cudaDevice());
        } else {
            out.printf("CUDA backend: %s%n", Diffhmm.cudaUnavailableReason());
        }
        out.printf("AUTO picks: %s%n", Diffhmm.autoBackend());
        out.printf("Java: %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.version"));
        return 0;
    }
}
