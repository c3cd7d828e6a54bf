package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The region's endpoint as the service's endpoint rules give it (aws-sdk-net's AmazonWickrEndpointProvider). */
class EndpointTest {

    private static String endpoint(String region, boolean fips, boolean dualStack) {
        return WickrClientConfig.builder().region(region).fips(fips).dualStack(dualStack).build().effectiveEndpoint().toString();
    }

    @Test
    void theDnsSuffixComesFromTheRegionsPartition() {
        assertThat(endpoint("us-east-1", false, false)).isEqualTo("https://admin.wickr.us-east-1.amazonaws.com");
        assertThat(endpoint("eu-central-1", false, false)).isEqualTo("https://admin.wickr.eu-central-1.amazonaws.com");
        assertThat(endpoint("cn-north-1", false, false)).isEqualTo("https://admin.wickr.cn-north-1.amazonaws.com.cn");
        assertThat(endpoint("us-gov-west-1", false, false)).isEqualTo("https://admin.wickr.us-gov-west-1.amazonaws.com");
    }

    @Test
    void theEuropeanSovereignCloudIsAPartitionOfItsOwn() {
        assertThat(endpoint("eusc-de-east-1", false, false)).isEqualTo("https://admin.wickr.eusc-de-east-1.amazonaws.eu");
        assertThat(endpoint("eusc-de-east-1", false, true)).isEqualTo("https://admin.wickr.eusc-de-east-1.api.amazonwebservices.eu");
        assertThat(endpoint("eusc-de-east-1", true, false)).isEqualTo("https://admin.wickr-fips.eusc-de-east-1.amazonaws.eu");
        assertThat(WickrClientConfig.isRegionName("eusc-de-east-1")).isTrue();
        for (String notOne : new String[] {"moon", "us-east", "US-EAST-1", "useast1", "toolong-east-1", ""}) {
            assertThat(WickrClientConfig.isRegionName(notOne)).as(notOne).isFalse();
        }
    }

    @Test
    void fipsAndDualStackHostsAndTheirCombination() {
        assertThat(endpoint("us-east-1", true, false)).isEqualTo("https://admin.wickr-fips.us-east-1.amazonaws.com");
        assertThat(endpoint("us-east-1", false, true)).isEqualTo("https://admin.wickr.us-east-1.api.aws");
        assertThat(endpoint("us-east-1", true, true)).isEqualTo("https://admin.wickr-fips.us-east-1.api.aws");
        assertThat(endpoint("us-gov-west-1", true, false)).isEqualTo("https://admin.wickr-fips.us-gov-west-1.amazonaws.com");
    }

    @Test
    void aCustomEndpointIsTakenAsItIsAndNotWithFipsOrDualStack() {
        assertThat(WickrClientConfig.builder().endpoint(URI.create("http://127.0.0.1:8787")).build().effectiveEndpoint())
                .isEqualTo(URI.create("http://127.0.0.1:8787"));
        assertThatThrownBy(() -> WickrClientConfig.builder().endpoint(URI.create("https://x.example")).fips(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FIPS");
        assertThatThrownBy(() -> WickrClientConfig.builder().endpoint(URI.create("https://x.example")).dualStack(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dual-stack");
    }
}
