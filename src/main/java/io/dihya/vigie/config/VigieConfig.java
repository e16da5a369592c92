package io.dihya.vigie.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The operator's own settings (application.properties, or VIGIE_* environment variables). */
@ConfigMapping(prefix = "vigie")
public interface VigieConfig {

  Status status();

  Checks checks();

  Secrets secrets();

  Events events();

  LeaderElection leaderElection();

  /**
   * Leader election through a Lease, for several replicas: only the leader runs checks and sends
   * notifications; the others wait and take over, from what status says, when its lease expires.
   */
  interface LeaderElection {
    /** On in the chart (two replicas); off when one process runs alone. */
    @WithDefault("false")
    boolean enabled();

    /** The Lease's name. */
    @WithDefault("vigie-leader")
    String leaseName();

    /** The Lease's namespace (the operator's own); else the client's namespace. */
    Optional<String> leaseNamespace();

    /** How long a lease lasts without renewal: the longest a hand-over takes. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** How long the leader tries to renew before it gives up (and exits). */
    @WithDefault("10s")
    Duration renewDeadline();

    /** How often candidates try to acquire or renew. */
    @WithDefault("2s")
    Duration retryPeriod();

    /** This replica's identity in the Lease; defaults to POD_NAME, else host name and pid. */
    Optional<String> identity();
  }

  Targets targets();

  /** How status is written. */
  interface Status {
    /**
     * How often an unchanged probe's lastCheck is refreshed in status. Transitions are written at
     * once; this only bounds how stale lastCheck may be. Each refresh is one status patch per
     * probe: at 60s, 10,000 probes would cost the API server 167 writes a second; at 30m, 5.6 (one
     * write per 180 checks at a 10s interval). The live figures are the operator's metrics.
     */
    @WithDefault("30m")
    Duration refreshInterval();
  }

  /** How checks run. */
  interface Checks {
    /** Checks in flight at once; more wait (in start order) for a free slot. */
    @WithDefault("512")
    int maxConcurrency();

    /**
     * Most bytes of an answer a check reads: an http response body (for expectations; the rest is
     * not read, the connection is closed), a tcp answer, a PostgreSQL message.
     */
    @WithDefault("1048576")
    int maxBodyBytes();
  }

  /** How referenced Secrets are read. */
  interface Secrets {
    /** How long a Secret read from the API server is reused before it is read again. */
    @WithDefault("60s")
    Duration cacheTtl();

    /** How soon a resource whose Secret or key is missing looks for it again. */
    @WithDefault("30s")
    Duration retryInterval();
  }

  /**
   * Where checks may connect: the target policy, so that whoever may create a HealthProbe cannot
   * make the operator reach what its pod can reach and tenants should not (the cloud metadata
   * service, the API server). Judged on the address each check connects to, after DNS.
   */
  interface Targets {
    /**
     * Networks (CIDR, or one address) checks may connect to. The most specific network of allow and
     * deny that holds an address decides, deny winning a tie; an address in none is forbidden.
     * {@code none}: no network.
     */
    @WithDefault("0.0.0.0/0,::/0")
    List<String> allow();

    /**
     * Networks checks may not connect to, unless a more specific allowed network holds the address.
     * The default: link-local IPv4 and AWS's IPv6 metadata network. {@code none}: no network.
     */
    @WithDefault("169.254.0.0/16,fd00:ec2::/64")
    List<String> deny();

    /**
     * Forbid the operator's own API server endpoints (the address and port of its API server URL,
     * and KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT), whatever allow says. kubernetes checks
     * read the API server through the operator's client and are not affected.
     */
    @WithDefault("true")
    boolean denyApiServer();
  }

  /** How Events are reported. */
  interface Events {
    /** reportingInstance of the Events; defaults to the host (pod) name. */
    Optional<String> reportingInstance();
  }
}
