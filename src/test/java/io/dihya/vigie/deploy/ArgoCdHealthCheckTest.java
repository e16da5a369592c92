package io.dihya.vigie.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.e2e.Project;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health checks of deploy/gitops, run on the statuses the operator writes, as Argo CD
 * runs them: the object as the global {@code obj}, the result a table of status and message.
 */
class ArgoCdHealthCheckTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private record Health(String status, String message) {}

  private static Health run(String script, String objectYaml) throws IOException {
    String lua = Files.readString(Project.dir().resolve("deploy/gitops").resolve(script));
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(YAML.unmarshal(objectYaml, Map.class)));
    LuaValue result = globals.load(lua, script).call();
    return new Health(result.get("status").tojstring(), result.get("message").optjstring(null));
  }

  /** A parsed YAML value as Lua sees it in Argo CD: maps and lists as tables, arrays from 1. */
  private static LuaValue lua(Object value) {
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(String.valueOf(k), lua(v)));
      return table;
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, lua(list.get(i)));
      }
      return table;
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return value == null ? LuaValue.NIL : LuaValue.valueOf(String.valueOf(value));
  }

  private static String probe(String status) {
    return """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata: {name: orders, namespace: shop, generation: 2}
        """
        + status;
  }

  @Test
  void aProbeIsHealthyDegradedSuspendedOrProgressingAsItsConditionsSay() throws IOException {
    String script = "argocd-health-healthprobe.lua";
    assertThat(run(script, probe("")))
        .isEqualTo(new Health("Progressing", "Waiting for the vigie operator"));
    assertThat(
            run(
                    script,
                    probe(
                        """
                    status:
                      observedGeneration: 1
                      health: Healthy
                      conditions:
                        - {type: Ready, status: "True", reason: Accepted}
                        - {type: Healthy, status: "True", reason: Succeeded}
                    """))
                .status())
        .as("a spec change the operator has not seen yet")
        .isEqualTo("Progressing");
    assertThat(
            run(
                script,
                probe(
                    """
                    status:
                      observedGeneration: 2
                      health: Unknown
                      conditions:
                        - {type: Ready, status: "True", reason: Accepted}
                        - {type: Healthy, status: Unknown, reason: AwaitingChecks, message: No check has run yet}
                    """)))
        .isEqualTo(new Health("Progressing", "AwaitingChecks: No check has run yet"));
    assertThat(
            run(
                script,
                probe(
                    """
                    status:
                      observedGeneration: 2
                      health: Healthy
                      conditions:
                        - {type: Ready, status: "True", reason: Accepted}
                        - {type: Healthy, status: "True", reason: Succeeded, message: GET /health answered 200}
                    """)))
        .isEqualTo(new Health("Healthy", "Succeeded: GET /health answered 200"));
    assertThat(
            run(
                script,
                probe(
                    """
                    status:
                      observedGeneration: 2
                      health: Unhealthy
                      conditions:
                        - {type: Ready, status: "True", reason: Accepted}
                        - {type: Healthy, status: "False", reason: ConnectionRefused, message: nothing listens}
                    """)))
        .isEqualTo(new Health("Degraded", "ConnectionRefused: nothing listens"));
    assertThat(
            run(
                script,
                probe(
                    """
                    status:
                      observedGeneration: 2
                      health: Unknown
                      conditions:
                        - {type: Ready, status: "False", reason: SecretNotFound, message: Secret api not found}
                        - {type: Healthy, status: Unknown, reason: NotChecked}
                    """)))
        .isEqualTo(new Health("Degraded", "SecretNotFound: Secret api not found"));
    assertThat(
            run(
                    script,
                    probe(
                        """
                    status:
                      observedGeneration: 2
                      health: Suspended
                      conditions:
                        - {type: Ready, status: "True", reason: Suspended}
                        - {type: Healthy, status: Unknown, reason: Suspended}
                    """))
                .status())
        .isEqualTo("Suspended");
  }

  @Test
  void aRouteIsHealthyOnceInstalledAndDegradedWhenItCannotBe() throws IOException {
    String script = "argocd-health-alertroute.lua";
    String route =
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata: {name: pages, namespace: shop, generation: 1}
        """;
    assertThat(run(script, route).status()).isEqualTo("Progressing");
    assertThat(
            run(
                script,
                route
                    + """
                    status:
                      observedGeneration: 1
                      conditions:
                        - {type: Ready, status: "True", reason: Accepted, message: 2 sinks}
                    """))
        .isEqualTo(new Health("Healthy", "Accepted: 2 sinks"));
    assertThat(
            run(
                script,
                route
                    + """
                    status:
                      observedGeneration: 1
                      conditions:
                        - {type: Ready, status: "False", reason: InvalidSpec, message: "spec.sinks: empty"}
                    """))
        .isEqualTo(new Health("Degraded", "InvalidSpec: spec.sinks: empty"));
  }
}
