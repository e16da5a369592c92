package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamedValueRuleTest {

  private static String redact(String text) {
    return Redactor.standard().redact(text);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // query strings and form bodies
        "GET /cb?access_token=abc123&page=2 | GET /cb?access_token=[REDACTED]&page=2",
        "GET /cb?page=2&token=abc | GET /cb?page=2&token=[REDACTED]",
        "refresh_token=r1&id_token=i1&x=1 | refresh_token=[REDACTED]&id_token=[REDACTED]&x=1",
        "client_id=app&client_secret=s3&grant_type=client_credentials"
            + " | client_id=app&client_secret=[REDACTED]&grant_type=client_credentials",
        "/blob?sv=2022&sig=AbC%2Bd&se=2030 | /blob?sv=2022&sig=[REDACTED]&se=2030",
        "?X-Amz-Credential=AK%2F2024&X-Amz-Signature=f00d&X-Amz-Expires=60"
            + " | ?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Expires=60",
        "?X-Goog-Signature=beef&X-Goog-Date=1 | ?X-Goog-Signature=[REDACTED]&X-Goog-Date=1",
        "GET /cb?code=4%2F0Ad&state=xyz | GET /cb?code=[REDACTED]&state=xyz",
        "GET /cb#code=4Ad | GET /cb#code=[REDACTED]",
        "db.password:1234 | db.password:[REDACTED]",
        "X-Api-Key:12345 | X-Api-Key:[REDACTED]",
        // A host named after a credential could be a key: taken as one.
        "redis auth:6379 ok | redis auth:[REDACTED] ok",
        "got token:0:abcd user | got token:[REDACTED] user",
        "got session_id:0.abcd user | got session_id:[REDACTED] user",
        "got x-hub-signature-256:0!ab user | got x-hub-signature-256:[REDACTED]",
        "POST /token body: code=4Ad&redirect_uri=x | POST /token body:"
            + " code=[REDACTED]&redirect_uri=x",
        "url=https://h/p?token=abc&x=1 | url=https://h/p?token=[REDACTED]&x=1",
        "apikey=k1 api_key=k2 api-key=k3 mytoken=k4 | apikey=[REDACTED] api_key=[REDACTED]"
            + " api-key=[REDACTED] mytoken=[REDACTED]",
        "passwd=a pwd=b pass=c auth=d jwt=e session=f | passwd=[REDACTED] pwd=[REDACTED]"
            + " pass=[REDACTED] auth=[REDACTED] jwt=[REDACTED] session=[REDACTED]",
        "credentials=a credential=b signature=c | credentials=[REDACTED] credential=[REDACTED]"
            + " signature=[REDACTED]",
        "sessionid=a; path=/ | sessionid=[REDACTED]; path=/",
        // JSON, YAML, Map.toString(), properties, flags
        "{\"password\":\"s3cr3t\",\"user\":\"bob\"} | {\"password\":\"[REDACTED]\",\"user\":\"bob\"}",
        "{\"apiKey\": \"k\", \"pin\": 12} | {\"apiKey\": \"[REDACTED]\", \"pin\": 12}",
        "{\"token\": 123456,\"x\":1} | {\"token\": [REDACTED],\"x\":1}",
        "{\"apiKeys\": [\"k1\", \"k2\"], \"user\": \"bob\"} | {\"apiKeys\": [[REDACTED]],"
            + " \"user\": \"bob\"}",
        "{\"credentials\": {\"u\": \"bob\", \"p\": \"x}\", \"l\": [1]}, \"n\": 1} |"
            + " {\"credentials\": {[REDACTED]}, \"n\": 1}",
        "{\"secret\": {\"a\": 1 | {\"secret\": {[REDACTED]",
        "{\"secret\":\"a\\\"b\",\"x\":1} | {\"secret\":\"[REDACTED]\",\"x\":1}",
        "{'password': 'pw', 'user': 'bob'} | {'password': '[REDACTED]', 'user': 'bob'}",
        "body {\\\"password\\\":\\\"pw\\\",\\\"x\\\":1} | body"
            + " {\\\"password\\\":\\\"[REDACTED]\\\",\\\"x\\\":1}",
        "{password=a,b, user=bob} | {password=[REDACTED], user=bob}",
        "(token=abc) | (token=[REDACTED])",
        "password = \"two words\" then | password = \"[REDACTED]\" then",
        "spring.datasource.password=pw | spring.datasource.password=[REDACTED]",
        "run --db-password=pw --verbose | run --db-password=[REDACTED] --verbose",
        "Password=pw;Host=db;Database=app | Password=[REDACTED]",
        "invalid token: abc123 expired | invalid token: [REDACTED] expired",
        "(token=abc), next | (token=[REDACTED]), next",
        "password=\"cut short | password=\"[REDACTED]",
        "password='cut \\' short | password='[REDACTED]",
        "password: | password:",
        "password=\"\" | password=\"\"",
      })
  void masksValuesOfCredentialNames(String text, String expected) {
    assertThat(redact(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "Authorization: Bearer abc def | Authorization: [REDACTED]",
        "authorization:Basic dXNlcjpwYXNz | authorization:[REDACTED]",
        "Proxy-Authorization: Digest username=\"bob\", response=\"x\""
            + " | Proxy-Authorization: [REDACTED]",
        "Cookie: session=abc; theme=dark | Cookie: [REDACTED]",
        "Set-Cookie: id=abc; Path=/; HttpOnly | Set-Cookie: [REDACTED]",
        "X-Api-Key: abc def | X-Api-Key: [REDACTED]",
        "Api-Key: abc def | Api-Key: [REDACTED]",
        "X-Auth-Token: abc def | X-Auth-Token: [REDACTED]",
        "X-Vault-Token: abc | X-Vault-Token: [REDACTED]",
        "Private-Session: abc def | Private-Session: [REDACTED]",
        "curl -H 'Authorization: Digest a b' -H 'Accept: x' | curl -H 'Authorization: [REDACTED]'"
            + " -H 'Accept: x'",
        "curl -H \"X-Api-Key: a b\" https://h | curl -H \"X-Api-Key: [REDACTED]\" https://h",
        "headers {Authorization: Bearer abc, Accept: json} | headers {Authorization: [REDACTED]",
      })
  void masksHeaderValuesToTheEndOfTheLine(String text, String expected) {
    assertThat(redact(text)).isEqualTo(expected);
  }

  @Test
  void aCredentialNameStartingALineIsAHeaderOrYaml() {
    assertThat(redact("config:\n  secret: two words\n\tapi_key: a b\nname: x"))
        .isEqualTo("config:\n  secret: [REDACTED]\n\tapi_key: [REDACTED]\nname: x");
    assertThat(redact("token: a b")).isEqualTo("token: [REDACTED]");
    assertThat(redact("invalid token: a b")).isEqualTo("invalid token: [REDACTED] b");
  }

  @Test
  void headersEndAtTheEndOfTheirLine() {
    assertThat(redact("Authorization: Bearer abc\r\nAccept: json\nX-Token: t\nHost: h"))
        .isEqualTo("Authorization: [REDACTED]\r\nAccept: json\nX-Token: [REDACTED]\nHost: h");
  }

  /** Leaks found by RedactorPropertiesTest. */
  @Test
  void jsonMayBreakTheLineAroundTheColon() {
    assertThat(redact("{\"token\":\n  \"abcd\"}")).isEqualTo("{\"token\":\n  \"[REDACTED]\"}");
    assertThat(redact("{\"token\"\r\n  : 1234}")).isEqualTo("{\"token\"\r\n  : [REDACTED]}");
    assertThat(redact("{\"body\": \"{\\\"token\\\"\\n  :\\t\\\"abcd\\\"}\"}"))
        .isEqualTo("{\"body\": \"{\\\"token\\\"\\n  :\\t\\\"[REDACTED]\\\"}\"}");
  }

  @Test
  void jsonEscapedInJsonKeepsItsQuotesApart() {
    // {"password":"a\"b"} in a JSON string: the quote inside the value has three backslashes.
    assertThat(redact("{\"body\": \"{\\\"password\\\":\\\"a\\\\\\\"b\\\"}\"}"))
        .isEqualTo("{\"body\": \"{\\\"password\\\":\\\"[REDACTED]\\\"}\"}");
    // Escaped twice: a JSON string in a JSON string in a JSON string.
    assertThat(redact("{\\\\\\\"token\\\\\\\":\\\\\\\"abcd\\\\\\\"}"))
        .isEqualTo("{\\\\\\\"token\\\\\\\":\\\\\\\"[REDACTED]\\\\\\\"}");
  }

  @Test
  void aHeaderValueStartingWithADelimiterIsHiddenToo() {
    assertThat(redact("> Authorization: &abcd\r\n> Host: h"))
        .isEqualTo("> Authorization: [REDACTED]\r\n> Host: h");
    assertThat(redact("X-API-KEY:>|w-leD6")).isEqualTo("X-API-KEY:[REDACTED]");
  }

  @Test
  void aHeaderQuotedByAShellEndsAtItsUnescapedQuote() {
    assertThat(redact("curl -H \"Authorization: a\\\"bc'd\" https://h"))
        .isEqualTo("curl -H \"Authorization: [REDACTED]\" https://h");
  }

  @Test
  void aBracketClosesOnlyOnItsOwnKind() {
    assertThat(redact("map[Authorization:[}abcd] Accept:[*/*]]"))
        .isEqualTo("map[Authorization:[[REDACTED]] Accept:[*/*]]");
    assertThat(redact("headers {X-Registry-Auth=[ab}cd], Accept=[*/*]}"))
        .isEqualTo("headers {X-Registry-Auth=[[REDACTED]], Accept=[*/*]}");
  }

  @Test
  void anArrayInEscapedJsonEndsAtItsOwnBracket() {
    assertThat(redact("{\"body\": \"{\\\"token\\\":[\\\"ab]cd\\\"]}\"}\nuser=bob token=']efgh'"))
        .isEqualTo("{\"body\": \"{\\\"token\\\":[[REDACTED]]}\"}\nuser=bob token='[REDACTED]'");
  }

  /** A value that goes on past the end of a mask (here closed by a stray bracket) is hidden too. */
  @Test
  void aValueOverlappingTheEndOfAMaskIsHiddenToo() {
    assertThat(redact("token: [abc\npassword='x]yz' user=bob"))
        .startsWith("token: [[REDACTED]")
        .doesNotContain("yz");
  }

  /** Found by RedactorPropertiesTest: host names and Kubernetes names before a colon. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET http://auth:8080/healthz answered 503",
        "tcp auth-db:5432: no answer within 5s",
        "redis session-cache:6379: connection refused",
        "HealthProbe shop/auth-api: 3 consecutive failures",
        "postgres orders@secret-store.shop:5432/app: connection refused",
        "Connection to auth-db.shop.svc:5432 refused.",
      })
  void leavesHostsAndPortsAlone(String text) {
    assertThat(redact(text)).isEqualTo(text);
  }

  @Test
  void masksXmlElements() {
    assertThat(redact("<user>bob</user><password>pw</password><ns:ApiKey a=\"1\">k</ns:ApiKey>"))
        .isEqualTo(
            "<user>bob</user><password>[REDACTED]</password><ns:ApiKey a=\"1\">[REDACTED]</ns:ApiKey>");
    assertThat(redact("<p>see token</p>")).isEqualTo("<p>see token</p>");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rpc error: code = Unavailable desc = connection refused",
        "exit code=137",
        "{\"code\": 503}",
        "status_code=503 status=DOWN",
        "secretRef: db-credentials, tokenUrl=https://idp/token",
        "token_type=Bearer&expires_in=3600",
        "java.security.InvalidKeyException: Illegal key size",
        "author=alice keycloak=up design=ok",
        "1password=x",
        "Secret \"db\" has no key \"password\"",
        "the token is missing",
        "x = 1, y: 2",
        "password:",
        "=:= ::",
      })
  void leavesOtherPairsAlone(String text) {
    assertThat(redact(text)).isEqualTo(text);
  }
}
