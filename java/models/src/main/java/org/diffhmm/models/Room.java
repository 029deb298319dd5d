package org.diffhmm.models;

import java.util.SplittableRandom;

/**
 * A rectangular grid room whose cells show one of a few symbols (colours), so many cells look alike
 * ("aliased"): the standard test world of clone-structured models. An agent walks with the actions
 * {@link #LEFT}, {@link #RIGHT}, {@link #UP}, {@link #DOWN}; a move into a wall keeps it in place and
 * the action is still recorded. Learning the room means recovering one clone per cell from the
 * symbol/action stream alone.
 */
public final class Room {
    /** Action: one column left. */
    public static final int LEFT = 0;
    /** Action: one column right. */
    public static final int RIGHT = 1;
    /** Action: one row up. */
    public static final int UP = 2;
    /** Action: one row down. */
    public static final int DOWN = 3;
    /** The number of actions. */
    public static final int ACTIONS = 4;

    private final int height, width, symbols;
    private final int[] symbolAt;

    /**
     * A room with the given symbol per cell.
     *
     * @param height   rows, at least 1
     * @param width    columns, at least 1
     * @param symbolAt the symbol of each cell, row-major {@code [height][width]}, each at least 0
     * @throws IllegalArgumentException if the sizes disagree or a symbol is negative
     */
    public Room(int height, int width, int[] symbolAt) {
        if (height < 1 || width < 1 || symbolAt.length != (long) height * width) {
            throw new IllegalArgumentException("a " + height + "x" + width + " room needs height*width = "
                    + (long) height * width + " symbols, got " + symbolAt.length);
        }
        int max = 0;
        for (int s : symbolAt) {
            if (s < 0) {
                throw new IllegalArgumentException("negative symbol");
            }
            max = Math.max(max, s);
        }
        this.height = height;
        this.width = width;
        this.symbols = max + 1;
        this.symbolAt = symbolAt.clone();
    }

    /**
     * A room whose cells draw their symbol uniformly from some colours, each used at least once.
     *
     * @param height  rows, at least 1
     * @param width   columns, at least 1
     * @param symbols the number of colours, from 1 to {@code height*width}
     * @param rng     the random source
     * @return the room
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static Room random(int height, int width, int symbols, SplittableRandom rng) {
        if (symbols < 1 || symbols > (long) height * width) {
            throw new IllegalArgumentException("symbols must be in [1, " + (long) height * width + "], got " + symbols);
        }
        final int[] at = new int[height * width];
        for (int c = 0; c < at.length; c++) {
            at[c] = c < symbols ? c : rng.nextInt(symbols);
        }
        for (int c = at.length - 1; c > 0; c--) {  // shuffle so the guaranteed ones are anywhere
            final int o = rng.nextInt(c + 1);
            final int tmp = at[c];
            at[c] = at[o];
            at[o] = tmp;
        }
        return new Room(height, width, at);
    }

    /**
     * The number of cells.
     *
     * @return height × width
     */
    public int cells() {
        return height * width;
    }

    /**
     * The number of symbols.
     *
     * @return one more than the largest symbol
     */
    public int symbols() {
        return symbols;
    }

    /**
     * How many cells show each symbol: the clones a perfect model needs.
     *
     * @return one count per symbol
     */
    public int[] cellsPerSymbol() {
        final int[] n = new int[symbols];
        for (int s : symbolAt) {
            n[s]++;
        }
        return n;
    }

    /**
     * A random walk (uniform random actions) from a random cell.
     *
     * @param steps the number of observations, at least 0
     * @param rng   the random source
     * @return the symbols seen and the {@code steps - 1} actions taken
     */
    public CloneHmm.Walk walk(int steps, SplittableRandom rng) {
        final int[] x = new int[steps], a = new int[Math.max(0, steps - 1)];
        int row = rng.nextInt(height), col = rng.nextInt(width);
        for (int t = 0; t < steps; t++) {
            x[t] = symbolAt[row * width + col];
            if (t == steps - 1) {
                break;
            }
            a[t] = rng.nextInt(ACTIONS);
            switch (a[t]) {
                case LEFT: col = Math.max(0, col - 1); break;
                case RIGHT: col = Math.min(width - 1, col + 1); break;
                case UP: row = Math.max(0, row - 1); break;
                default: row = Math.min(height - 1, row + 1);
            }
        }
        return new CloneHmm.Walk(x, a);
    }
}
