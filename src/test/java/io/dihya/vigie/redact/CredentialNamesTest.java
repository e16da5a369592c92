package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "access-token",
        "mytoken",
        "X-Auth-Token",
        "key",
        "apikey",
        "api_key",
        "api-key",
        "apiKey",
        "X-Api-Key",
        "APIKEY",
        "routing_key",
        "routingKey",
        "AccountKey",
        "private_key",
        "secret",
        "client_secret",
        "clientSecret",
        "password",
        "PASSWORD",
        "db.password",
        "passwd",
        "pwd",
        "pass",
        "db_pass",
        "passphrase",
        "sig",
        "signature",
        "X-Amz-Signature",
        "X-Goog-Signature",
        "X-Amz-Credential",
        "auth",
        "basic_auth",
        "authorization",
        "Proxy-Authorization",
        "credential",
        "credentials",
        "session",
        "session_id",
        "sessionid",
        "JSESSIONID",
        "PHPSESSID",
        "jwt",
        "cookie",
        "Set-Cookie",
        "bearer",
        "key_id"
      })
  void credentialNames(String name) {
    assertThat(CredentialNames.isCredential(name)).as(name).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "user",
        "username",
        "host",
        "status",
        "status_code",
        "code",
        "author",
        "authority",
        "keycloak",
        "keyspace",
        "design",
        "signal",
        "passed",
        "bypass",
        "compass",
        "secretRef",
        "secretKeyRef",
        "passwordSecretRef",
        "secretName",
        "tokenUrl",
        "token_type",
        "passwordFile",
        "tokenPath",
        "tokenExpiry",
        "InvalidKeyException",
        "java.security.InvalidKeyException",
        "TokenExpiredError",
        "---"
      })
  void ordinaryNames(String name) {
    assertThat(CredentialNames.isCredential(name)).as(name).isFalse();
  }

  @Test
  void segmentsSplitAtPunctuationAndCamelCase() {
    assertThat(CredentialNames.segments("X-ApiKey_v2")).containsExactly("x", "api", "key", "v2");
    assertThat(CredentialNames.segments("HTTPHeader")).containsExactly("http", "header");
    assertThat(CredentialNames.segments("v2Key")).containsExactly("v2", "key");
    assertThat(CredentialNames.segments("db.password")).containsExactly("db", "password");
    assertThat(CredentialNames.segments("--")).isEmpty();
  }
}
