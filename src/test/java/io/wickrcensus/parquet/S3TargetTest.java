package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3TargetTest {

    @Test
    void aLocationNamesTheBucketThePrefixAndTheRegion() {
        S3Target t = S3Target.parse("s3://finance-data/census/nightly/", Map.of(), "eu-west-1");
        assertThat(t.bucket()).isEqualTo("finance-data");
        assertThat(t.prefix()).isEqualTo("census/nightly");
        assertThat(t.region()).isEqualTo("eu-west-1");
        assertThat(t.pathStyle()).isFalse();
        assertThat(t.key("users/network_id=n")).isEqualTo("census/nightly/users/network_id=n");
        assertThat(t).hasToString("s3://finance-data/census/nightly");

        S3Target root = S3Target.parse("S3://finance-data", Map.of("CENSUS_S3_REGION", "us-west-2", "CENSUS_S3_PATH_STYLE", "true"), "eu-west-1");
        assertThat(root.prefix()).isEmpty();
        assertThat(root.key("runs")).isEqualTo("runs");
        assertThat(root.region()).isEqualTo("us-west-2");
        assertThat(root.pathStyle()).isTrue();
    }

    @Test
    void aBadLocationIsRefusedInWords() {
        assertThatThrownBy(() -> S3Target.parse("s3://Bad_Bucket/x", Map.of(), "us-east-1"))
                .hasMessageContaining("'Bad_Bucket' is not an S3 bucket name");
        assertThatThrownBy(() -> S3Target.parse("s3://ok-bucket/x", Map.of("CENSUS_S3_PATH_STYLE", "yes"), "us-east-1"))
                .hasMessageContaining("CENSUS_S3_PATH_STYLE must be true or false");
        assertThat(S3Target.isS3("s3://b/p")).isTrue();
        assertThat(S3Target.isS3("/data/s3/p")).isFalse();
    }

    @Test
    void aBucketInAnotherRegionIsNamedWithTheSettingThatFixesIt() {
        S3Target t = S3Target.parse("s3://finance-data/x", Map.of(), "us-east-1");
        S3Exception moved = (S3Exception) S3Exception.builder().statusCode(301).awsErrorDetails(AwsErrorDetails.builder()
                .sdkHttpResponse(SdkHttpResponse.builder().statusCode(301).putHeader("x-amz-bucket-region", "eu-central-1").build())
                .build()).build();
        assertThat(S3Store.describe(moved, t))
                .isEqualTo("bucket finance-data is in region eu-central-1, not us-east-1; set CENSUS_S3_REGION=eu-central-1");
        S3Exception missing = (S3Exception) S3Exception.builder().statusCode(404).awsErrorDetails(AwsErrorDetails.builder()
                .sdkHttpResponse(SdkHttpResponse.builder().statusCode(404).build()).build()).build();
        assertThat(S3Store.describe(missing, t)).isEqualTo("bucket finance-data does not exist");
    }
}
