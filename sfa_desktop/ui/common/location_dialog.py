"""Where a place is: latitude and longitude typed, or a city found in the gazetteer.

Used for an account's pin and for the rep's home base. A value that does not fit is said
in one line under its field; nothing is saved until both numbers fit.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import LocationSource
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.operations.locate import CityMatch, find_city
from sfa_desktop.ui.common.labels import ERROR_STYLE, caption, heading


def read_degrees(text: str, limit: int, name: str) -> tuple[float | None, str]:
    """A degree value typed by the rep ('48.137' or '48,137'), and why not ("" if fine)."""
    cleaned = text.strip().replace(",", ".").rstrip("°").strip()
    if not cleaned:
        return None, f"Enter the {name} in degrees."
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"The {name} must be a number of degrees, such as {limit / 2:g}."
    if value != value or not -limit <= value <= limit:
        return None, f"The {name} must be between -{limit} and {limit} degrees."
    return value, ""


def _field(widget: QWidget, error: QLabel) -> QWidget:
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(error)
    return cell


def _error() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class LocationDialog(QDialog):
    """`located(point or None, source)` when saved; None when the location is removed."""

    located = Signal(object, object)

    def __init__(
        self,
        ctx: AppContext,
        title: str,
        point: Point | None = None,
        city: str = "",
        country: str = "",
        removable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.source = LocationSource.PIN
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.city, self.country = QLineEdit(city), QLineEdit(country)
        self.city.setPlaceholderText("City or town")
        self.country.setPlaceholderText("Country")
        self.find_button = QPushButton("Find")
        self.find_button.clicked.connect(self.look_up)
        self.city.returnPressed.connect(self.look_up)
        place_row = QHBoxLayout()
        place_row.addWidget(self.city, 3)
        place_row.addWidget(self.country, 2)
        place_row.addWidget(self.find_button)
        self.found = caption("")
        self.city_error, self.lat_error, self.lon_error = _error(), _error(), _error()
        self.latitude = QLineEdit("" if point is None else f"{point.latitude:.5f}")
        self.longitude = QLineEdit("" if point is None else f"{point.longitude:.5f}")
        self.latitude.setPlaceholderText("e.g. 51.31271")
        self.longitude.setPlaceholderText("e.g. 9.47953")
        for edit in (self.latitude, self.longitude):
            edit.textEdited.connect(self._typed)
        place = QWidget()
        place.setLayout(place_row)
        form = QFormLayout()
        form.addRow("Find a city", _field(place, self.city_error))
        form.addRow("", self.found)
        form.addRow("Latitude", _field(self.latitude, self.lat_error))
        form.addRow("Longitude", _field(self.longitude, self.lon_error))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.remove = buttons.addButton("Remove location", QDialogButtonBox.ButtonRole.ResetRole)
        self.remove.setVisible(removable and point is not None)
        self.remove.clicked.connect(self._remove)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, 13))
        layout.addWidget(
            caption(
                "A city puts the place at its centre (GeoNames' towns of 1,000 people and "
                "more, offline); type the coordinates for the exact spot."
            )
        )
        layout.addLayout(form)
        layout.addWidget(buttons)

    def look_up(self) -> None:
        city, country = self.city.text().strip(), self.country.text().strip()
        if not city:
            self._say(self.city_error, "Type a city to find.")
            return
        self._say(self.city_error, "")
        self.find_button.setEnabled(False)
        self.found.setText("Looking up…")
        self._ctx.tasks.run_network(
            lambda: find_city(city, country),
            lambda match: self._found(city, country, match),
            self._lookup_failed,
        )

    def _found(self, city: str, country: str, match: CityMatch | None) -> None:
        self.find_button.setEnabled(True)
        self.found.setText("")
        if match is None:
            where = f" in {country}" if country else ""
            self._say(self.city_error, f"No town called {city!r}{where} in the gazetteer.")
            return
        self.found.setText(f"Found {match.label}.")
        self.latitude.setText(f"{match.point.latitude:.5f}")
        self.longitude.setText(f"{match.point.longitude:.5f}")
        self._say(self.lat_error, "")
        self._say(self.lon_error, "")
        self.source = LocationSource.CITY

    def _lookup_failed(self, error: BaseException) -> None:
        self.find_button.setEnabled(True)
        self.found.setText("")
        self._say(self.city_error, f"Could not look the city up: {error}")

    def _typed(self) -> None:
        self.source = LocationSource.PIN
        self.found.setText("")

    def point(self) -> Point | None:
        """The typed point, saying under each field what does not fit (None then)."""
        latitude, lat_problem = read_degrees(self.latitude.text(), 90, "latitude")
        longitude, lon_problem = read_degrees(self.longitude.text(), 180, "longitude")
        self._say(self.lat_error, lat_problem)
        self._say(self.lon_error, lon_problem)
        if latitude is None or longitude is None:
            return None
        return Point(latitude, longitude)

    def save(self) -> None:
        point = self.point()
        if point is None:
            return
        self.located.emit(point, self.source)
        self.accept()

    def _remove(self) -> None:
        self.located.emit(None, None)
        self.accept()

    @staticmethod
    def _say(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
