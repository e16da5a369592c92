package io.dihya.vigie;

import io.dihya.vigie.probe.check.HttpClientPool;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The operator's entry point: Quarkus, after one JVM setting that must come before anything uses
 * the JDK HTTP client. http checks connect to the address the target policy judged and name the
 * host in the Host header, and ask for a new connection each run (Connection: close), which the JDK
 * client refuses unless told otherwise ({@link HttpClientPool#allowHostHeader}).
 */
@QuarkusMain
public final class Main {

  private Main() {}

  public static void main(String... args) {
    HttpClientPool.allowHostHeader();
    Quarkus.run(args);
  }
}
