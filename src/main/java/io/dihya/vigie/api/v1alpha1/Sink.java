package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One destination of a route's notifications: a name and exactly one kind. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Sink {

  @Required
  @Pattern(Names.DNS_LABEL)
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("Name of the sink, unique in the route; used in status and metrics.")
  public String name;

  @JsonPropertyDescription("Write each notification as one JSON line to the operator's log.")
  public LogSink log;

  @JsonPropertyDescription("POST each notification to an HTTP endpoint, optionally signed.")
  public WebhookSink webhook;

  @JsonPropertyDescription("Post to a Slack incoming webhook.")
  public SlackSink slack;

  @JsonPropertyDescription("Post an Adaptive Card to a Microsoft Teams Workflows webhook.")
  public TeamsSink teams;

  @JsonPropertyDescription("Trigger and resolve PagerDuty incidents (Events API v2).")
  public PagerDutySink pagerduty;

  @JsonPropertyDescription("Send e-mail over SMTP.")
  public EmailSink email;

  @JsonPropertyDescription("Post alerts to an Alertmanager (API v2).")
  public AlertmanagerSink alertmanager;

  @JsonPropertyDescription("Add each notification to an IPFS node (Kubo RPC API).")
  public IpfsSink ipfs;
}
