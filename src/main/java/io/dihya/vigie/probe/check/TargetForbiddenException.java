package io.dihya.vigie.probe.check;

import java.io.IOException;

/**
 * A connection the operator's {@link TargetPolicy} refuses: the check fails with reason
 * TargetForbidden and this message. An IOException, since it takes the place of a connect() that
 * would have failed: the client libraries (pgjdbc, Jedis) carry it as the cause of their own.
 *
 * <p>The message is written by {@link TargetPolicy} from the host as the spec names it, the address
 * it resolved to and the rule of the operator's settings that matched: no secret, no URL query.
 */
public final class TargetForbiddenException extends IOException {

  private static final long serialVersionUID = 1L;

  TargetForbiddenException(String message) {
    super(message);
  }
}
