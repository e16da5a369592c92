package io.dihya.vigie.e2e;

import java.nio.file.Path;

/** Where the project and its build output are, as Maven tells the tests. */
public final class Project {

  private Project() {}

  public static Path dir() {
    return Path.of(System.getProperty("vigie.project.dir", ".")).toAbsolutePath().normalize();
  }

  public static Path buildDir() {
    return Path.of(System.getProperty("vigie.build.dir", dir().resolve("target").toString()));
  }
}
