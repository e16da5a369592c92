package io.dihya.vigie.probe.check;

import java.util.Arrays;

/**
 * Counts a response body as it arrives and keeps at most {@code limit} bytes of it, and only when
 * asked to: a 5 GB or endless body costs at most {@code limit} bytes of memory, and the caller
 * stops reading (closes the connection) once {@link #add} says the limit is passed.
 *
 * <p>Not thread-safe: one connection's reads, on its event loop.
 */
final class BoundedBody {

  /** What was read: the kept bytes (empty unless kept) and whether the body went beyond them. */
  record Body(byte[] bytes, boolean truncated) {}

  private static final byte[] NONE = new byte[0];

  private final int limit;
  private final boolean keep;
  private byte[] buffer = NONE;
  private int size;
  private long seen;

  BoundedBody(int limit, boolean keep) {
    this.limit = limit;
    this.keep = keep;
  }

  /**
   * Takes {@code length} bytes of the body from {@code chunk} at {@code offset} ({@code chunk} is
   * not read, and may be null, unless the body is kept).
   *
   * @return true once the body has passed the limit: read no more
   */
  boolean add(byte[] chunk, int offset, int length) {
    if (keep && size < limit) {
      int take = Math.min(length, limit - size);
      if (size + take > buffer.length) {
        int grown = Math.max(size + take, Math.max(8192, buffer.length * 2));
        buffer = Arrays.copyOf(buffer, Math.min(grown, limit));
      }
      System.arraycopy(chunk, offset, buffer, size, take);
      size += take;
    }
    seen += length;
    return seen > limit;
  }

  /** The body as read so far; truncated once more than the limit was seen. */
  Body body() {
    return new Body(size == buffer.length ? buffer : Arrays.copyOf(buffer, size), seen > limit);
  }
}
