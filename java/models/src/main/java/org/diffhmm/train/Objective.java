package org.diffhmm.train;

/**
 * The value of a model's objective on a batch (a sum over sequences, to be maximised) and its
 * gradient with respect to the model's parameter vector.
 *
 * @param value    the objective in nats
 * @param gradient its gradient, one entry per parameter
 */
public record Objective(double value, double[] gradient) {}
