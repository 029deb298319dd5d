package org.diffhmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import picocli.CommandLine;
import org.diffhmm.models.FileFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diffhmm decode}: Viterbi paths or posterior marginals of a file's sequences under a saved model. */
@Command(name = "decode", mixinStandardHelpOptions = true, description = "Decode sequences under a model saved by 'diffhmm train': the most probable "
        + "hidden path of each sequence (default) or the posterior state probabilities, as text or JSON. The file "
        + "format follows the model: .txt symbols (categorical), .csv reals (Gaussian), .json walks (clone-structured).",
        footerHeading = "%nExamples:%n", footer = {"  diffhmm decode --model diffhmm-out/model.json words.txt",
                "  diffhmm decode --model model.json signal.csv --posteriors --format json"})
final class DecodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "model.json written by 'diffhmm train'")
    Path modelFile;

    @Parameters(index = "0", description = "sequences to decode")
    Path file;

    @Option(names = "--posteriors", description = "print P(state | sequence) per step instead of the Viterbi path")
    boolean posteriors;

    @Option(names = "--format", description = "text or json (default ${DEFAULT-VALUE})", defaultValue = "text")
    String format;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("text") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be text or json, got '" + format + "'");
        }
        final Hmm<?> model;
        final JsonNode root;
        try {
            model = Models.load(modelFile);
            root = new ObjectMapper().readTree(modelFile.toFile());
        } catch (FileFormatException e) {
            throw DataFiles.located(modelFile, e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InputFileException(modelFile.toString(), "no such file");
        }
        decode(model, root);
        return 0;
    }

    /** Reads the file as the model's family does and prints its paths or posteriors. */
    private <S> void decode(Hmm<S> model, JsonNode root) throws IOException {
        final List<S> data = FileFamilies.of(model).decodeData(model, root, modelFile, file);
        final List<int[]> paths = posteriors ? null : model.decode(data);
        final List<double[][]> posts = posteriors ? model.posteriors(data) : null;
        print(paths, posts);
    }

    private void print(List<int[]> paths, List<double[][]> posts) throws IOException {
        final PrintWriter w = spec.commandLine().getOut();
        if (format.equals("json")) {
            final ObjectMapper json = new ObjectMapper();
            final ObjectNode root = json.createObjectNode();
            if (paths != null) {
                final ArrayNode all = root.putArray("paths");
                for (int[] p : paths) {
                    final ArrayNode a = all.addArray();
                    for (int z : p) {
                        a.add(z);
                    }
                }
            } else {
                final ArrayNode all = root.putArray("posteriors");
                for (double[][] seq : posts) {
                    final ArrayNode s = all.addArray();
                    for (double[] step : seq) {
                        final ArrayNode a = s.addArray();
                        for (double v : step) {
                            a.add(v);
                        }
                    }
                }
            }
            w.println(json.writeValueAsString(root));
        } else if (paths != null) {
            for (int[] p : paths) {
                final StringBuilder line = new StringBuilder();
                for (int z : p) {
                    line.append(line.length() == 0 ? "" : " ").append(z);
                }
                w.println(line);
            }
        } else {
            for (int b = 0; b < posts.size(); b++) {
                w.println("# sequence " + b);
                for (double[] step : posts.get(b)) {
                    final StringBuilder line = new StringBuilder();
                    for (double v : step) {
                        line.append(line.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6f", v));
                    }
                    w.println(line);
                }
            }
        }
        w.flush();
    }
}
