# wa-mock in a container: a statically linked binary on an empty base, so that building the
# image pulls nothing from a registry.
#
# Build the binary first, then the image (docker/build does both):
#   cargo build --release --locked --target x86_64-unknown-linux-musl -p wa-mock --bin wa-mock
#   docker build -t wa-mock .
# Run it:
#   docker run --rm -p 127.0.0.1:8089:8089 wa-mock
#
# Every flag is a WA_MOCK_* variable (docker run -e WA_MOCK_CLOCK=manual …) or an argument
# (docker run wa-mock --clock manual). Inside the container the server listens on all
# interfaces and its admin API answers peers that are not loopback (the host that published the
# port); the Host, Origin, Sec-Fetch-Site and content-type guards stay on, so name the service
# with WA_MOCK_ALLOWED_HOST when other containers call it by name.
FROM scratch
COPY target/x86_64-unknown-linux-musl/release/wa-mock /usr/local/bin/wa-mock
ENV WA_MOCK_LISTEN=0.0.0.0:8089 \
    WA_MOCK_ADMIN_ANY_PEER=true
EXPOSE 8089
USER 65532:65532
HEALTHCHECK --interval=2s --timeout=2s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/wa-mock", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/wa-mock"]
