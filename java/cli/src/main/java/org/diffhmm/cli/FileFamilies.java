package org.diffhmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;

/**
 * How each model family meets the command line, registered once under its tag ({@link Models#type}):
 * the training file extension it reads, how a training run starts from the data, what its summary
 * adds, and how {@code decode} reads a data file for a saved model. {@link TrainCommand} and
 * {@link DecodeCommand} have no switch over families; a new family is one entry here.
 */
final class FileFamilies {
    /** What {@code train} passes to a family: the options that shape a model. */
    record Settings(int states, int clones, double pseudocount, long seed, boolean chars) {}

    /** A training run of one family: its model, an EM twin from the same start, its data and what it reports. */
    abstract static class Run<S> {
        final Hmm<S> model, emTwin;
        final List<S> data;
        final String description;

        Run(Hmm<S> model, Hmm<S> emTwin, List<S> data, String description) {
            this.model = model;
            this.emTwin = emTwin;
            this.data = data;
            this.description = description;
        }

        /** What the objective is, for the summary. */
        String objectiveName() {
            return "log-likelihood";
        }

        /** Lines the family adds after the objective (each ending in a newline). */
        String objectiveDetails(List<S> train) {
            return "";
        }

        /** Lines the family adds at the end of the summary (each ending in a newline). */
        String summary(List<S> train) {
            return "";
        }

        /** Fields the family adds to model.json beside the model's own (decode reads them back). */
        void writeFields(ObjectNode root) {}
    }

    /** One family on the command line. */
    interface FileFamily<S> {
        /** The family's tag. */
        String tag();

        /** The training file extension that selects it ({@code txt}, {@code csv}, {@code json}). */
        String extension();

        /** A training run on {@code file} (null: the bundled text, where the family has one). */
        Run<S> start(Settings settings, Path file) throws IOException;

        /** The sequences of a data file for {@code model}, saved as {@code modelFile} (its JSON {@code root}). */
        List<S> decodeData(Hmm<S> model, JsonNode root, Path modelFile, Path file) throws IOException;
    }

    /** Largest table a model may need (its transition or emission entries): 2^27 doubles, 1 GiB. */
    static final long MAX_TABLE = 1L << 27;

    private static final FileFamily<int[]> CATEGORICAL = new FileFamily<>() {
        public String tag() {
            return "categorical";
        }

        public String extension() {
            return "txt";
        }

        public Run<int[]> start(Settings s, Path file) throws IOException {
            final List<String> vocabulary = new ArrayList<>();
            final List<int[]> data;
            if (file == null) {
                for (char c : BundledText.ALPHABET.toCharArray()) {
                    vocabulary.add(String.valueOf(c));
                }
                data = BundledText.corpus();
            } else {
                final List<List<DataFiles.Token>> tokens = DataFiles.symbols(file, s.chars());
                final long distinct = tokens.stream().flatMap(List::stream).map(DataFiles.Token::text).distinct().count();
                if (distinct * s.states() > MAX_TABLE) {
                    throw new InputFileException(file.toString(), distinct + " distinct symbols with --states " + s.states()
                            + " need an emission table of " + distinct * s.states() + " entries, more than " + MAX_TABLE
                            + " (is this a text of symbols?)");
                }
                final LinkedHashSet<String> seen = new LinkedHashSet<>();
                tokens.forEach(seq -> seq.forEach(token -> seen.add(token.text())));
                vocabulary.addAll(seen);
                data = DataFiles.encode(file, tokens, vocabulary);
            }
            final CategoricalHmm hmm = CategoricalHmm.random(s.states(), vocabulary.size(), new SplittableRandom(s.seed()));
            final CategoricalHmm em = CategoricalHmm.random(s.states(), vocabulary.size(), new SplittableRandom(s.seed()));
            final boolean chars = s.chars() || file == null;
            return new Run<>(hmm, em, data, "categorical HMM, " + s.states() + " states, " + vocabulary.size() + " symbols") {
                @Override
                String summary(List<int[]> train) {
                    return groups(hmm, vocabulary);
                }

                @Override
                void writeFields(ObjectNode root) {
                    final ArrayNode v = root.putArray("vocabulary");
                    vocabulary.forEach(v::add);
                    root.put("chars", chars);  // how decode splits lines into symbols
                }
            };
        }

        public List<int[]> decodeData(Hmm<int[]> model, JsonNode root, Path modelFile, Path file) throws IOException {
            final int symbols = ((CategoricalHmm) model).symbols();
            final List<String> vocabulary = new ArrayList<>();
            root.path("vocabulary").forEach(v -> vocabulary.add(v.asText()));
            if (vocabulary.size() != symbols) {
                throw new InputFileException(modelFile.toString(), "the model has no vocabulary of " + symbols + " symbols");
            }
            final boolean chars = root.path("chars").asBoolean(false);
            return DataFiles.encode(file, DataFiles.symbols(file, chars), vocabulary);
        }
    };

    private static final FileFamily<double[][]> GAUSSIAN = new FileFamily<>() {
        public String tag() {
            return "gaussian";
        }

        public String extension() {
            return "csv";
        }

        public Run<double[][]> start(Settings s, Path file) throws IOException {
            if (file == null) {
                throw new InputFileException("(none)", "the Gaussian HMM trains on a .csv file");
            }
            final List<double[][]> data = DataFiles.reals(file);
            final int dims = data.get(0)[0].length;
            double sum = 0, sumSq = 0;
            long n = 0;
            for (double[][] x : data) {
                for (double[] step : x) {
                    sum += step[0];
                    sumSq += step[0] * step[0];
                    n++;
                }
            }
            final double mean = sum / n, spread = Math.sqrt(Math.max(1e-12, sumSq / n - mean * mean));
            final GaussianHmm model = GaussianHmm.random(s.states(), dims, mean, spread, new SplittableRandom(s.seed()));
            final GaussianHmm em = GaussianHmm.random(s.states(), dims, mean, spread, new SplittableRandom(s.seed()));
            return new Run<>(model, em, data, "Gaussian HMM, " + s.states() + " states, " + dims + " dimension(s)") {};
        }

        public List<double[][]> decodeData(Hmm<double[][]> model, JsonNode root, Path modelFile, Path file)
                throws IOException {
            final int dims = ((GaussianHmm) model).dims();
            final List<double[][]> data = DataFiles.reals(file);
            if (data.get(0)[0].length != dims) {
                throw new InputFileException(file.toString(), 1, 1, "expected " + dims + " values per step (the model's"
                        + " dimensions), got " + data.get(0)[0].length);
            }
            return data;
        }
    };

    private static final FileFamily<CloneHmm.Walk> CLONE = new FileFamily<>() {
        public String tag() {
            return "clone";
        }

        public String extension() {
            return "json";
        }

        public Run<CloneHmm.Walk> start(Settings s, Path file) throws IOException {
            if (file == null) {
                throw new InputFileException("(none)", "the clone-structured HMM trains on a .json walk file");
            }
            final List<CloneHmm.Walk> data = DataFiles.walks(file, CloneHmm.MAX_SYMBOL + 1, CloneHmm.MAX_ACTION + 1);
            int symbols = 0, actions = 1;
            for (CloneHmm.Walk w : data) {
                for (int x : w.symbols()) {
                    symbols = Math.max(symbols, x + 1);
                }
                for (int t = 0; t + 1 < w.length(); t++) {
                    actions = Math.max(actions, w.actions()[t] + 1);
                }
            }
            final long n = (long) symbols * s.clones();
            if (actions * n * n > MAX_TABLE) {
                throw new InputFileException(file.toString(), "symbol ids up to " + (symbols - 1) + " with --clones "
                        + s.clones() + " make N = " + n + " states and " + actions + " actions: the transition table would "
                        + "need A·N² = " + actions * n * n + " entries, more than " + MAX_TABLE + " (lower --clones, or "
                        + "number the symbols 0..K-1 densely)");
            }
            final int[] perSymbol = new int[symbols];
            java.util.Arrays.fill(perSymbol, s.clones());
            final CloneHmm hmm = CloneHmm.random(perSymbol, actions, s.pseudocount(), new SplittableRandom(s.seed()));
            final CloneHmm em = new CloneHmm(perSymbol, actions, hmm.parameters(), s.pseudocount());
            return new Run<>(hmm, em, data, "clone-structured HMM, " + symbols + " symbols × " + s.clones() + " clones, "
                    + actions + " actions") {
                @Override
                String objectiveName() {
                    return "log-likelihood + pseudocount prior";
                }

                @Override
                String objectiveDetails(List<CloneHmm.Walk> train) {
                    return String.format(Locale.ROOT, "log-likelihood: %.4f bits per step%n", hmm.bitsPerStep(train));
                }
            };
        }

        public List<CloneHmm.Walk> decodeData(Hmm<CloneHmm.Walk> model, JsonNode root, Path modelFile, Path file)
                throws IOException {
            final CloneHmm hmm = (CloneHmm) model;
            return DataFiles.walks(file, hmm.symbols(), hmm.actions());
        }
    };

    private static final List<FileFamily<?>> ALL = List.of(CATEGORICAL, GAUSSIAN, CLONE);

    private FileFamilies() {}

    /** The family a training file's extension selects, or null. */
    static FileFamily<?> byExtension(String extension) {
        for (FileFamily<?> f : ALL) {
            if (f.extension().equals(extension)) {
                return f;
            }
        }
        return null;
    }

    /** The extensions, for messages: {@code .txt, .csv or .json}. */
    static String extensions() {
        final StringBuilder s = new StringBuilder();
        for (int k = 0; k < ALL.size(); k++) {
            s.append(k == 0 ? "" : k == ALL.size() - 1 ? " or " : ", ").append('.').append(ALL.get(k).extension());
        }
        return s.toString();
    }

    /** The command-line part of a model's family. */
    @SuppressWarnings("unchecked")
    static <S> FileFamily<S> of(Hmm<S> model) {
        final String tag = Models.type(model);
        for (FileFamily<?> f : ALL) {
            if (f.tag().equals(tag)) {
                return (FileFamily<S>) f;
            }
        }
        throw new IllegalArgumentException("the command line has no reader for model family \"" + tag + "\"");
    }

    /** Which symbols each state favours (the state under which a symbol is most probable). */
    static String groups(CategoricalHmm model, List<String> vocabulary) {
        final double[] logB = model.logEmissions();
        final int n = model.states(), m = model.symbols();
        final StringBuilder s = new StringBuilder();
        for (int j = 0; j < n; j++) {
            final StringBuilder members = new StringBuilder();
            for (int x = 0; x < m; x++) {
                int best = 0;
                for (int k = 1; k < n; k++) {
                    if (logB[k * m + x] > logB[best * m + x]) {
                        best = k;
                    }
                }
                if (best == j) {
                    members.append(vocabulary.get(x).equals(" ") ? "_" : vocabulary.get(x)).append(' ');
                }
            }
            s.append(String.format("state %d favours: %s%n", j, members.toString().trim()));
        }
        return s.toString();
    }
}
