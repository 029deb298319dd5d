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
    public static final int LEFT = 0, RIGHT = 1, UP = 2, DOWN = 3, ACTIONS = 4;

    private final int height, width, symbols;
    private final int[] symbolAt;

    /** A room with the given symbol per cell, row-major {@code [height][width]}. */
    public Room(int height, int width, int[] symbolAt) {
        if (height < 1 || width < 1 || symbolAt.length != height * width) {
            throw new IllegalArgumentException("need height*width symbols");
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

    /** A room whose cells draw their symbol uniformly from {@code symbols} colours, each used at least once. */
    public static Room random(int height, int width, int symbols, SplittableRandom rng) {
        if (symbols > height * width) {
            throw new IllegalArgumentException("more symbols than cells");
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

    public int cells() {
        return height * width;
    }

    public int symbols() {
        return symbols;
    }

    /** How many cells show each symbol: the clones a perfect model needs. */
    public int[] cellsPerSymbol() {
        final int[] n = new int[symbols];
        for (int s : symbolAt) {
            n[s]++;
        }
        return n;
    }

    /** A random walk of {@code steps} observations (uniform random actions) from a random cell. */
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
