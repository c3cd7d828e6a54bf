package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3TargetTest {

    @Test
    void aLocationNamesTheBucketThePrefixAndTheRegion() {
        S3Target t = S3Target.parse("s3://finance-data/census/nightly/", new S3Target.Options("eu-west-1", false, false));
        assertThat(t.bucket()).isEqualTo("finance-data");
        assertThat(t.prefix()).isEqualTo("census/nightly");
        assertThat(t.region()).isEqualTo("eu-west-1");
        assertThat(t.pathStyle()).isFalse();
        assertThat(t.key("users/network_id=n")).isEqualTo("census/nightly/users/network_id=n");
        assertThat(t).hasToString("s3://finance-data/census/nightly");

        S3Target root = S3Target.parse("S3://finance-data", new S3Target.Options("us-west-2", true, false));
        assertThat(root.prefix()).isEmpty();
        assertThat(root.key("runs")).isEqualTo("runs");
        assertThat(root.region()).isEqualTo("us-west-2");
        assertThat(root.pathStyle()).isTrue();
    }

    @Test
    void aBadLocationIsRefusedInWords() {
        assertThatThrownBy(() -> S3Target.parse("s3://Bad_Bucket/x", new S3Target.Options("us-east-1", false, false)))
                .hasMessageContaining("'Bad_Bucket' is not an S3 bucket name");
        assertThat(S3Target.isS3("s3://b/p")).isTrue();
        assertThat(S3Target.isS3("/data/s3/p")).isFalse();
    }

    @Test
    void aBucketInAnotherRegionIsNamedWithTheSettingThatFixesIt() {
        S3Target t = S3Target.parse("s3://finance-data/x", new S3Target.Options("us-east-1", false, false));
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
