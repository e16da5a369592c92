package io.dihya.vigie.probe.check;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks the framing of the RESP bytes a Redis check reads before Jedis parses them, and stops
 * anything that is not a small Redis reply: Jedis allocates a bulk string's or an array's full
 * announced length up front, so a server (or a non-Redis one) announcing {@code $2000000000} would
 * cost the operator gigabytes. The answers of AUTH, HELLO and PING are a few hundred bytes.
 */
final class RedisReplyGuard extends FilterInputStream {

  /** Thrown for bytes that are not the small Redis reply a check expects. */
  static final class NotARedisReply extends IOException {
    NotARedisReply(String message) {
      super(message);
    }
  }

  static final int MAX_TOTAL = 64 * 1024;
  static final int MAX_LINE = 4 * 1024;
  static final int MAX_BULK = 16 * 1024;
  static final int MAX_ELEMENTS = 1024;

  private enum State {
    TYPE,
    LINE,
    BULK_HEADER,
    AGGREGATE_HEADER,
    PAYLOAD
  }

  private State state = State.TYPE;
  private int lineLength;
  private long number;
  private boolean negative;
  private boolean digits;
  private long payloadLeft;
  private long total;

  RedisReplyGuard(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      accept((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int count = super.read(buffer, offset, length);
    for (int i = 0; i < count; i++) {
      accept(buffer[offset + i]);
    }
    return count;
  }

  private void accept(byte b) throws IOException {
    if (++total > MAX_TOTAL) {
      throw new NotARedisReply("more than " + MAX_TOTAL + " bytes");
    }
    switch (state) {
      case TYPE -> type(b);
      case LINE -> {
        if (b == '\n') {
          state = State.TYPE;
        } else if (++lineLength > MAX_LINE) {
          throw new NotARedisReply("a line longer than " + MAX_LINE + " bytes");
        }
      }
      case BULK_HEADER, AGGREGATE_HEADER -> header(b);
      case PAYLOAD -> {
        if (--payloadLeft == 0) {
          state = State.TYPE;
        }
      }
    }
  }

  private void type(byte b) throws IOException {
    lineLength = 0;
    number = 0;
    negative = false;
    digits = false;
    switch (b) {
      // simple string, error, integer, null, boolean, double, big number
      case '+', '-', ':', '_', '#', ',', '(' -> state = State.LINE;
      // bulk string, verbatim string, bulk error
      case '$', '=', '!' -> state = State.BULK_HEADER;
      // array, map, set, push, attributes
      case '*', '%', '~', '>', '|' -> state = State.AGGREGATE_HEADER;
      default -> throw new NotARedisReply("not a RESP type byte");
    }
  }

  private void header(byte b) throws IOException {
    if (b == '-' && !digits && !negative) {
      negative = true;
    } else if (b >= '0' && b <= '9' && number < 1_000_000_000L) {
      number = number * 10 + (b - '0');
      digits = true;
    } else if (b == '\r' && digits) {
      // the \n comes next
    } else if (b == '\n' && digits) {
      long n = negative ? -number : number;
      boolean bulk = state == State.BULK_HEADER;
      if (n < -1 || n > (bulk ? MAX_BULK : MAX_ELEMENTS)) {
        throw new NotARedisReply("a length beyond the limits of a check's reply");
      }
      if (bulk && n >= 0) {
        payloadLeft = n + 2; // the data and its \r\n
        state = State.PAYLOAD;
      } else {
        state = State.TYPE;
      }
    } else {
      throw new NotARedisReply("not a RESP length");
    }
  }
}
