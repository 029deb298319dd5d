package org.diffhmm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.Em;
import org.diffhmm.train.Progress;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code diffhmm train}: fits a model to a file (or, with none, to the bundled English text) by Adam,
 * SGD or EM, and writes the model (JSON), the loss curve (PNG and CSV) and a summary. Outputs are
 * written to temporary files and moved into place only when the run succeeds.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train an HMM on a file of sequences (or, given none, on the bundled English "
        + "text). Formats: .txt one sequence per line of symbols (categorical), .csv one step per line of "
        + "comma-separated reals with blank lines between sequences (Gaussian), .json {\"x\": [[...]], \"a\": [[...]]} "
        + "walks for the clone-structured HMM.",
        footerHeading = "%nExamples:%n",
        footer = {"  diffhmm train                                   vowels vs consonants on the bundled text",
                "  diffhmm train words.txt --states 5 --method em", "  diffhmm train signal.csv --states 3 --compare-em",
                "  diffhmm train walks.json --clones 20 --pseudocount 0.1 --method em"})
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "training data (.txt, .csv or .json); none: the bundled text")
    Path file;

    @Option(names = "--states", description = "hidden states (categorical and Gaussian; default 2)", defaultValue = "2")
    int states;

    @Option(names = "--clones", description = "clones per symbol (clone-structured HMM; default ${DEFAULT-VALUE})",
            defaultValue = "10")
    int clones;

    @Option(names = "--pseudocount", description = "clone-structured HMM: pseudocount of EM and the objective "
            + "(default ${DEFAULT-VALUE})", defaultValue = "0.1")
    double pseudocount;

    @Option(names = "--chars", description = ".txt: every character is a symbol (default for the bundled text)")
    boolean chars;

    @Option(names = "--method", description = "adam, sgd or em (default ${DEFAULT-VALUE})", defaultValue = "adam")
    String method;

    @Option(names = "--epochs", description = "epochs (gradient) or maximum iterations (EM) (default ${DEFAULT-VALUE})",
            defaultValue = "300")
    int epochs;

    @Option(names = "--lr", description = "learning rate (default ${DEFAULT-VALUE}; cosine decay)", defaultValue = "0.1")
    double learningRate;

    @Option(names = "--batch-size", description = "sequences per minibatch (0 = all; default ${DEFAULT-VALUE})",
            defaultValue = "0")
    int batchSize;

    @Option(names = "--clip", description = "gradient norm clip (0 = off; default ${DEFAULT-VALUE})", defaultValue = "0")
    double clip;

    @Option(names = "--held-out", description = "fraction of sequences held out for early stopping (default "
            + "${DEFAULT-VALUE})", defaultValue = "0")
    double heldOut;

    @Option(names = "--patience", description = "early-stopping patience in epochs (default ${DEFAULT-VALUE})",
            defaultValue = "20")
    int patience;

    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})", defaultValue = "1")
    long seed;

    @Option(names = "--compare-em", description = "also fit by EM from the same start and report its figure")
    boolean compareEm;

    @Option(names = "--out", description = "output folder (default ${DEFAULT-VALUE})", defaultValue = "diffhmm-out")
    Path out;

    @Option(names = "--quiet", description = "no progress bar or log lines")
    boolean quiet;

    /** Largest number of hidden states (categorical, Gaussian) and of clones per symbol. */
    static final int MAX_STATES = 1024, MAX_CLONES = 4096;

    private Outputs outputs;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        final String kind = file == null ? "txt" : extension(file);
        final FileFamilies.FileFamily<?> family = FileFamilies.byExtension(kind);
        if (family == null) {
            throw new InputFileException(file.toString(), "unknown format '." + kind + "' (expected "
                    + FileFamilies.extensions() + ")");
        }
        try (Outputs o = openOutputs()) {  // before training: an unwritable --out is reported at once
            outputs = o;
            return fit(family.start(new FileFamilies.Settings(states, clones, pseudocount, seed, chars), file));
        }
    }

    /** Every option in range, or a one-line usage error naming it (exit code 2). */
    private void checkOptions() {
        Usage.require(spec, List.of("adam", "sgd", "em").contains(method), "--method must be adam, sgd or em, got '"
                + method + "'");
        Usage.require(spec, states >= 1 && states <= MAX_STATES, "--states must be in [1, " + MAX_STATES + "], got " + states);
        Usage.require(spec, clones >= 1 && clones <= MAX_CLONES, "--clones must be in [1, " + MAX_CLONES + "], got " + clones);
        Usage.require(spec, pseudocount >= 0 && Double.isFinite(pseudocount),
                "--pseudocount must be a finite number >= 0, got " + pseudocount);
        Usage.require(spec, epochs >= 1 && epochs <= 1_000_000, "--epochs must be in [1, 1000000], got " + epochs);
        Usage.require(spec, learningRate > 0 && Double.isFinite(learningRate),
                "--lr must be a finite number > 0, got " + learningRate);
        Usage.require(spec, batchSize >= 0, "--batch-size must be >= 0 (0: all sequences), got " + batchSize);
        Usage.require(spec, clip >= 0 && Double.isFinite(clip), "--clip must be a finite number >= 0 (0: off), got " + clip);
        Usage.require(spec, heldOut >= 0 && heldOut < 1, "--held-out must be a fraction in [0, 1), got " + heldOut);
        Usage.require(spec, patience >= 0, "--patience must be >= 0, got " + patience);
        Usage.require(spec, !out.toString().isBlank(), "--out must name a folder, got ''");
    }

    private Outputs openOutputs() {
        try {
            return new Outputs(out);
        } catch (java.io.IOException | RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " cannot be written: "
                    + Usage.reason(e));
        }
    }

    private <S> int fit(FileFamilies.Run<S> run) throws Exception {
        final Hmm<S> model = run.model, emModel = run.emTwin;
        final List<S> all = run.data;
        final String description = run.description;
        final PrintWriter w = spec.commandLine().getOut();
        emModel.setParameters(model.parameters());
        final List<S> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new java.util.Random(seed));
        final int held = (int) Math.round(heldOut * shuffled.size());
        final List<S> train = shuffled.subList(held, shuffled.size()), test = shuffled.subList(0, held);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("--held-out " + heldOut + " leaves no training sequences");
        }
        w.printf("%s; %d training sequences (%d steps)%s; method %s%n", description, train.size(), model.steps(train),
                held > 0 ? ", " + held + " held out" : "", method);
        w.flush();
        final LossCurve curve;
        if (method.equals("em")) {
            curve = Em.fit(model, train, epochs, 1e-9, quiet ? (task, total) -> Progress.none() : ProgressBars::auto);
        } else {
            curve = Trainer.builder().epochs(epochs).batchSize(batchSize).clipNorm(clip).patience(held > 0 ? patience : 0)
                    .schedule(Schedule.cosine(learningRate, 0.05)).seed(seed).progress(quiet ? (task, total) -> Progress.none() : ProgressBars::auto)
                    .optimizer(method.equals("sgd") ? () -> Optimizer.sgd(0.9) : Optimizer::adam).build()
                    .fit(model, train, test).curve();
        }
        final long steps = model.steps(train);
        final double objective = model.objective(train).value() / steps;
        final StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT, "%s%ntrained by %s: %d %s%n", description, method, curve.size(),
                method.equals("em") ? "iterations" : "epochs"));
        summary.append(String.format(Locale.ROOT, "objective per step (%s): %.6f nats, %.4f bits per step%n",
                run.objectiveName(), objective, -objective / Math.log(2)));
        summary.append(run.objectiveDetails(train));
        if (!test.isEmpty()) {
            summary.append(String.format(Locale.ROOT, "held-out objective per step: %.6f nats%n",
                    model.objective(test).value() / model.steps(test)));
        }
        if (compareEm && !method.equals("em")) {
            final LossCurve emCurve = Em.fit(emModel, train, Math.max(epochs, 500), 1e-9, false);
            summary.append(String.format(Locale.ROOT, "EM from the same start: objective per step %.6f nats (%d iterations)%n",
                    emModel.objective(train).value() / steps, emCurve.size()));
        }
        summary.append(run.summary(train));
        writeOutputs(run, curve, summary.toString());
        w.print(summary);
        w.printf("wrote %s (model.json, loss.png, loss.csv, summary.txt)%n", out);
        return 0;
    }

    /** The outputs, staged and then moved into --out together (see {@link Outputs}). */
    private void writeOutputs(FileFamilies.Run<?> run, LossCurve curve, String summary) throws Exception {
        final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = (ObjectNode) json.readTree(Models.toJson(run.model));
        run.writeFields(root);
        Files.writeString(outputs.file("model.json"), json.writeValueAsString(root));
        LossPlot.savePng(outputs.file("loss.png"), "diffhmm train", curve);
        Files.writeString(outputs.file("loss.csv"), curve.toCsv());
        Files.writeString(outputs.file("summary.txt"), summary);
        outputs.commit(List.of("model.json", "loss.png", "loss.csv", "summary.txt"));
    }

    static String extension(Path file) {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
