# Thin wrapper over Meson for people: make deps | make | make run | make test.
.PHONY: all deps build run test format clean

DB ?= ./varn.db
LISTEN ?= 127.0.0.1:8080

all: build

deps:
	@scripts/deps.sh

build/build.ninja:
	meson setup build

build: build/build.ninja
	@ninja -C build

# Build; on first run create the database with the demo region (which prints how to log in);
# then serve it.
run: deps build
	@if [ ! -f "$(DB)" ]; then ./build/varn --db "$(DB)" init && ./build/varn --db "$(DB)" demo --scale region; fi
	@echo
	@echo "Värn: open http://$(LISTEN)/ in a browser (Ctrl-C stops the server)."
	@echo "The demo users and their password were printed when $(DB) was created; 'rm $(DB)' starts afresh."
	@echo "At the first login each user sets up two-step verification (README: First login)."
	@echo
	./build/varn --db "$(DB)" serve --listen "$(LISTEN)"

test: deps
	@scripts/test.sh

format:
	find src tests -name '*.[ch]' -exec clang-format -i {} +

clean:
	rm -rf build build-test build-asan build-fuzz build*.log
