package io.dihya.vigie;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** The operator's entry point: Quarkus, after a JVM setting that must come before any use. */
@QuarkusMain
public final class Main {

  private Main() {}

  /** The JDK's setting of the common pool's size, read once when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String... args) {
    commonPoolOfTwo();
    Quarkus.run(args);
  }

  /**
   * On one or two cores (a pod's usual CPU limit) the common pool has one thread, and then every
   * CompletableFuture step made async without an executor gets a new thread of its own: the JDK
   * HTTP client makes one for each response it hands to a custom executor, 100 threads started a
   * second for 1,000 probes at 10 s. Two threads at least, unless set otherwise.
   */
  static void commonPoolOfTwo() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null
        && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }
}
