package io.dihya.vigie.e2e;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Many API requests at once, as a GitOps tool applies a folder: the benchmark's, the tests'. */
public final class Parallel {

  private Parallel() {}

  /**
   * Runs the requests on {@code threads} threads, waits for all, and rethrows the first failure.
   */
  public static <T> void run(int threads, List<? extends Callable<T>> requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Future<T> done : pool.invokeAll(requests)) {
        done.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
