# wa-mock in a container: the statically linked binary on an empty base.
#
#   docker build -t wa-mock .
#   docker run --rm -p 127.0.0.1:8089:8089 wa-mock
#
# The build stage runs release/binary, the one release build command; docker/build, for
# machines that cannot pull the Rust image, runs that same script on the host and builds the
# stage after the marker line below around its binary, so the two cannot drift. With buildx the image builds
# for each platform it is asked for (linux/amd64, linux/arm64): the target is the stage's own
# architecture's musl.
#
# Every flag is a WA_MOCK_* variable (docker run -e WA_MOCK_CLOCK=manual …) or an argument
# (docker run wa-mock --clock manual). Inside the container the server listens on all
# interfaces and its admin API answers peers that are not loopback (the host that published the
# port); the Host, Origin, Sec-Fetch-Site and content-type guards stay on, so name the service
# with WA_MOCK_ALLOWED_HOST when other containers call it by name.
FROM rust:1.95.0-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN install -D "$(release/binary "$(uname -m)-unknown-linux-musl")" /out/wa-mock

# The runtime stage: docker/build keeps everything from this line on.
FROM scratch
COPY --from=build /out/wa-mock /usr/local/bin/wa-mock
ENV WA_MOCK_LISTEN=0.0.0.0:8089 \
    WA_MOCK_ADMIN_ANY_PEER=true
EXPOSE 8089
USER 65532:65532
HEALTHCHECK --interval=2s --timeout=2s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/wa-mock", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/wa-mock"]
