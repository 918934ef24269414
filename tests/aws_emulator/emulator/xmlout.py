"""Tiny XML builder for the query (IAM, STS) and REST (S3) answers."""

import time
from xml.sax.saxutils import escape, quoteattr


class El:
    def __init__(self, tag, content=None, **attrs):
        self.tag = tag
        self.content = content
        self.attrs = attrs

    def render(self):
        attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in self.attrs.items())
        if self.content is None:
            return f"<{self.tag}{attrs}/>"
        if isinstance(self.content, list):
            inner = "".join(c.render() for c in self.content)
        else:
            inner = escape(str(self.content))
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"


def el(tag, content=None, **attrs):
    return El(tag, content, **attrs)


def document(root):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + root.render()).encode()


def iso8601(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def http_date(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(t))
