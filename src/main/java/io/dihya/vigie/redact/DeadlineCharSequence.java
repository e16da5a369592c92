package io.dihya.vigie.redact;

/**
 * A string that stops a regex search when a deadline has passed. A user's regex (a check's
 * expectBody, a route's redaction pattern) can backtrack for minutes on a large text; without this
 * it would keep a shared thread busy long after its time was up.
 */
public final class DeadlineCharSequence implements CharSequence {

  /** Thrown from {@link #charAt} once the deadline has passed; reported as a timeout. */
  public static final class DeadlineExceeded extends RuntimeException {
    public DeadlineExceeded() {
      super("deadline exceeded", null, false, false);
    }
  }

  private static final int CHECK_EVERY = 4096;

  private final String text;
  private final long deadlineNanos;
  private int calls;

  /** The text, readable until {@code deadlineNanos} on the {@link System#nanoTime()} clock. */
  public DeadlineCharSequence(String text, long deadlineNanos) {
    this.text = text;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public char charAt(int index) {
    // Not thread-safe, and need not be: one matcher, one thread.
    if (++calls % CHECK_EVERY == 0 && System.nanoTime() - deadlineNanos > 0) {
      throw new DeadlineExceeded();
    }
    return text.charAt(index);
  }

  @Override
  public int length() {
    return text.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new DeadlineCharSequence(text.substring(start, end), deadlineNanos);
  }

  @Override
  public String toString() {
    return text;
  }
}
