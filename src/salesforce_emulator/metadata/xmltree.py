"""Parse the XML files of a deploy into ElementTree elements that remember their position.

Salesforce reports the line and column of a problem in a deployed file, so each element's
start position is kept beside the tree. The files come from a client, so document type
declarations are refused: they are not part of Metadata API files, and refusing them
keeps entity expansion out of the parser.
"""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from xml.parsers import expat


class XmlSyntaxError(ValueError):
    """A file that is not well-formed XML, with where the parser stopped."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class ParsedXml:
    """A parsed file: its root element and the (line, column) where each element starts."""

    root: ElementTree.Element
    positions: dict[ElementTree.Element, tuple[int, int]] = field(default_factory=dict)

    def position(self, element: ElementTree.Element | None) -> tuple[int | None, int | None]:
        """Return the element's (line, column), or (None, None) when it is not from this file."""
        if element is None or element not in self.positions:
            return None, None
        return self.positions[element]


def parse_xml(data: bytes) -> ParsedXml:
    """Parse one XML file; raise XmlSyntaxError when it is not well-formed or declares a DTD."""
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    positions: dict[ElementTree.Element, tuple[int, int]] = {}

    def tag_name(expat_name: str) -> str:
        # expat gives "namespace}local"; ElementTree spells it "{namespace}local".
        return "{" + expat_name if "}" in expat_name else expat_name

    def start(name: str, attributes: dict[str, str]) -> None:
        element = builder.start(tag_name(name), attributes)
        positions[element] = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def refuse_doctype(*_arguments: object) -> None:
        raise XmlSyntaxError(
            "Document type declarations are not allowed in Metadata API files",
            parser.CurrentLineNumber, parser.CurrentColumnNumber + 1,
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(tag_name(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise XmlSyntaxError(
            expat.ErrorString(error.code), error.lineno, error.offset + 1,
        ) from None
    return ParsedXml(builder.close(), positions)
