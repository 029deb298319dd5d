package org.diffhmm.spark;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.diffhmm.Backend;
import org.diffhmm.Diffhmm;
import org.diffhmm.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * How a task's native calls run: on {@code spark.task.cpus} CPU threads, or on the GPU Spark's
 * resource scheduling gave the task ({@link TaskContext#resources()}, e.g. with
 * {@code spark.executor.resource.gpu.amount=1} and {@code spark.task.resource.gpu.amount=1}).
 */
final class TaskOptions {
    private static final Logger LOG = LoggerFactory.getLogger(TaskOptions.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private TaskOptions() {}

    /** The options of {@code task}'s calls (null task: the driver, or a test — all cores, CPU unless CUDA is asked for). */
    static Options of(TaskContext task, Backend backend, String gpuResource) {
        executorCacheDir();  // before anything loads the native library
        final int cpus = task == null ? 0 : Math.max(1, task.cpus());
        String[] addresses = new String[0];
        if (task != null && gpuResource != null) {
            final Option<ResourceInformation> gpus = task.resources().get(gpuResource);
            if (gpus.isDefined()) {
                addresses = gpus.get().addresses();
            }
        }
        final boolean wantsCuda = backend == Backend.CUDA || (backend == Backend.AUTO && addresses.length > 0);
        return choose(backend, cpus, addresses, gpuResource, !wantsCuda || Diffhmm.cudaAvailable());
    }

    /**
     * The selection itself: {@link Backend#CPU} always runs on the CPU; {@link Backend#CUDA} runs on
     * the task's first GPU address (or the executor's current device when Spark assigned none);
     * {@link Backend#AUTO} runs on the task's GPU when it was given one and CUDA can run, and on the
     * CPU otherwise (warning once per executor when a GPU was assigned but CUDA cannot run).
     */
    static Options choose(Backend backend, int cpus, String[] gpuAddresses, String gpuResource, boolean cudaAvailable) {
        final Options cpu = Options.DEFAULT.backend(Backend.CPU).threads(cpus);
        if (backend == Backend.CPU) {
            return cpu;
        }
        final int device = gpuAddresses.length == 0 ? -1 : ordinal(gpuAddresses[0], gpuResource);
        if (backend == Backend.AUTO) {
            if (device < 0) {
                return cpu;
            }
            if (!cudaAvailable) {
                if (WARNED.compareAndSet(false, true)) {
                    LOG.warn("Spark gave this task {} {} but diffhmm's CUDA backend cannot run here ({}); running on the CPU",
                            gpuResource, gpuAddresses[0], Diffhmm.cudaUnavailableReason());
                }
                return cpu;
            }
        }
        return Options.DEFAULT.backend(Backend.CUDA).threads(cpus).cudaDevice(device);
    }

    /**
     * A JavaCPP cache folder of this executor's own (JVMs sharing ~/.javacpp/cache race: javacpp#608):
     * under the executor's files root — on executors its working directory, which every cluster
     * manager gives each executor for itself — made absolute.
     */
    static void executorCacheDir() {
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null && SparkEnv.get() != null) {
            System.setProperty("org.bytedeco.javacpp.cachedir",
                    java.nio.file.Path.of(SparkFiles.getRootDirectory(), "javacpp-cache").toAbsolutePath().normalize()
                            .toString());
        }
    }

    private static int ordinal(String address, String gpuResource) {
        try {
            final int device = Integer.parseInt(address.trim());
            if (device >= 0) {
                return device;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("Spark resource '" + gpuResource + "' has address '" + address
                + "', which is not a CUDA device ordinal (its discovery script must list GPUs by index: 0, 1, ...)");
    }
}
